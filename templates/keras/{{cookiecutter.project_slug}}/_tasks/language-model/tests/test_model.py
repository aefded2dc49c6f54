"""The Transformer: shapes, causality, the tied output layer, learning, and loading in safe mode."""

import keras
import numpy as np

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import new_split
from {{ cookiecutter.package_name }}.train import compile_model


def model_of(config: Config):
    split = new_split(config, seed=0)
    return split, build_model(config.data, config.model, split.meta)


def scores_of(model: keras.Model, ids: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(model(ids, training=False))


def test_scores_for_every_position_from_the_token_table(config: Config) -> None:
    split, model = model_of(config)
    vocab = split.meta.tokenizer.vocab_size
    assert scores_of(model, split.x_val[:3]).shape == (3, 16, vocab)
    assert scores_of(model, split.x_val[:2, :5]).shape == (2, 5, vocab)  # shorter contexts too
    tables = [w for w in model.weights if w.shape == (vocab, config.model.dim)]
    assert len(tables) == 1  # the output layer reads the embedding: no second matrix


def test_a_position_sees_only_the_tokens_before_it(config: Config) -> None:
    split, model = model_of(config)
    ids = split.x_val[:1].copy()
    changed = ids.copy()
    changed[0, 9] = (ids[0, 9] + 1) % split.meta.tokenizer.vocab_size
    a, b = scores_of(model, ids), scores_of(model, changed)
    np.testing.assert_allclose(a[0, :9], b[0, :9], atol=1e-5)  # before the change: untouched
    assert not np.allclose(a[0, 9:], b[0, 9:])


def test_a_few_steps_lower_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split, model = model_of(config)
    x, y = split.x_train[:64], split.y_train[:64]
    compile_model(model, split.meta, lr=3e-3)
    before = model.test_on_batch(x, y, return_dict=True)["loss"]
    for _ in range(10):
        model.train_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < 0.8 * before


def test_a_saved_model_loads_in_safe_mode_and_scores_the_same(config: Config, tmp_path) -> None:
    split, model = model_of(config)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")  # safe_mode is the default
    ids = split.x_val[:2]
    np.testing.assert_allclose(scores_of(loaded, ids), scores_of(model, ids), atol=1e-6)
