import keras
import numpy as np

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.train import compile_model


def test_padding_does_not_change_a_texts_logits(config: Config) -> None:
    split = load_split(config.data, seed=0)
    model = build_model(config.data, config.model, split.meta)
    ids = split.meta.tokenizer.encode(["the film was not good", "superb film"], 64)
    longer = np.pad(ids, ((0, 0), (0, 7)))  # the same texts, seven more pad tokens
    short, long = (keras.ops.convert_to_numpy(model(x, training=False)) for x in (ids, longer))
    assert short.shape == (2, 2)
    np.testing.assert_allclose(short, long, atol=1e-5)
    alone = keras.ops.convert_to_numpy(model(ids[1:, :2], training=False))  # with no padding
    np.testing.assert_allclose(alone, short[1:], atol=1e-5)


def test_a_few_steps_lower_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split = load_split(config.data, seed=0)
    x, y = split.x_train[:64], split.y_train[:64]
    model = build_model(config.data, config.model, split.meta)
    compile_model(model, split.meta, lr=3e-3)
    before = model.test_on_batch(x, y, return_dict=True)["loss"]
    for _ in range(5):
        model.train_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < before


def test_keras_format_round_trip(config: Config, tmp_path) -> None:
    split = load_split(config.data, seed=0)
    model = build_model(config.data, config.model, split.meta)
    x = split.x_val[:8]
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # safe_mode stays on
    diff = np.abs(model.predict(x, verbose=0) - reloaded.predict(x, verbose=0)).max()
    assert diff < 1e-6
