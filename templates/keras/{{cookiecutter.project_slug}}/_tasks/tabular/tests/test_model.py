import keras
import numpy as np

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.train import compile_model


def test_missing_values_are_the_training_mean_plus_an_indicator(config: Config) -> None:
    split = load_split(config.data, seed=0)
    model = build_model(config.data, config.model, split.meta)
    standardize = model.get_layer("standardize")
    means = np.asarray(split.meta.means, "float32")
    x = np.stack([means, np.full_like(means, np.nan)])
    out = keras.ops.convert_to_numpy(standardize(x))
    n = len(means)
    np.testing.assert_allclose(out[:, :n], 0.0, atol=1e-6)  # the mean and a missing value
    np.testing.assert_array_equal(out[:, n:], [[0.0] * n, [1.0] * n])
    logits = keras.ops.convert_to_numpy(model([x, split.x_val[1][:2]]))
    assert logits.shape == (2, 2) and np.isfinite(logits).all()


def test_a_few_steps_lower_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split = load_split(config.data, seed=0)
    x, y = [a[:64] for a in split.x_train], split.y_train[:64]
    model = build_model(config.data, config.model, split.meta)
    compile_model(model, split.meta, lr=1e-2)
    before = model.test_on_batch(x, y, return_dict=True)["loss"]
    for _ in range(5):
        model.train_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < before


def test_keras_format_round_trip_keeps_the_preprocessing(config: Config, tmp_path) -> None:
    split = load_split(config.data, seed=0)
    model = build_model(config.data, config.model, split.meta)
    x = [a[:8] for a in split.x_val]
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # safe_mode stays on
    diff = np.abs(model.predict(x, verbose=0) - reloaded.predict(x, verbose=0)).max()
    assert diff < 1e-6
