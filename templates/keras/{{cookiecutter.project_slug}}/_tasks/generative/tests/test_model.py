"""The VAE: shapes, a decoder of its own, sampling in training only, the negative ELBO as its
loss and as the epoch's scores, learning, and loading in safe mode."""

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.model import build_model, elbo_terms
from {{ cookiecutter.package_name }}.task import Meta, new_split, score, serving_model
from {{ cookiecutter.package_name }}.train import compile_model


def vae(config: Config, size: int = 32, channels: int = 3) -> keras.Model:
    meta = Meta(size, channels, config.model.latent_dim, config.model.beta)
    return build_model(config.data, config.model, meta)


def numpy_of(outputs) -> tuple[np.ndarray, ...]:
    return tuple(keras.ops.convert_to_numpy(t) for t in outputs)


def test_shapes_and_a_decoder_of_its_own() -> None:
    model = vae(Config())
    logits, mean, log_var = numpy_of(model(np.zeros((2, 32, 32, 3), np.float32)))
    assert logits.shape == (2, 32, 32, 3) and mean.shape == log_var.shape == (2, 16)
    assert model.decoder(np.zeros((5, 16), np.float32)).shape == (5, 32, 32, 3)


def test_grey_images_and_three_blocks() -> None:
    config = load_config(Config, None, ["data.channels=1", "model.widths=[8, 16, 32]"])
    logits, _, _ = numpy_of(vae(config, channels=1)(np.zeros((1, 32, 32, 1), np.float32)))
    assert logits.shape == (1, 32, 32, 1)


def test_validation_decodes_the_mean_and_training_draws_around_it() -> None:
    model = vae(Config())
    images = np.random.default_rng(0).random((4, 32, 32, 3), np.float32)
    first, second = (numpy_of(model(images, training=False))[0] for _ in range(2))
    np.testing.assert_array_equal(first, second)
    drawn = numpy_of(model(images, training=True))[0]
    assert not np.allclose(drawn, first)


def test_the_loss_is_the_negative_elbo_per_image() -> None:
    """Zero logits are p = 0.5 everywhere: log 2 per pixel; a standard-normal code costs no KL."""
    images, zeros = np.zeros((2, 4, 4, 1), np.float32), np.zeros((2, 3), np.float32)
    rec, kl = numpy_of(elbo_terms((np.zeros((2, 4, 4, 1), np.float32), zeros, zeros), images))
    np.testing.assert_allclose(rec, [16 * np.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(kl, [0, 0], atol=1e-7)
    shifted = (np.zeros((2, 4, 4, 1), np.float32), np.ones((2, 3), np.float32), zeros)
    _, kl = numpy_of(elbo_terms(shifted, images))
    np.testing.assert_allclose(kl, [1.5, 1.5], rtol=1e-6)  # 0.5 * |mean|^2
    scores = score(shifted, images, Meta(4, 1, 3, beta=2.0))
    assert scores["reconstruction"] == pytest.approx(16 * np.log(2))
    assert scores["kl"] == pytest.approx(1.5)
    assert scores["loss"] == pytest.approx(16 * np.log(2) + 2 * 1.5)


def test_training_and_scoring_compute_the_same_loss(config: Config) -> None:
    """The model's `compute_loss` (what `fit` minimises) and `task.score` (what validation
    records), on the same outputs: one ELBO, in float32 and in float64."""
    config.model.beta = 0.5
    split = new_split(config, seed=0)
    model = vae(config, size=16)
    outputs = model(split.x_val, training=False)
    trained = float(keras.ops.convert_to_numpy(
        model.compute_loss(split.x_val, split.y_val, outputs)))  # fmt: skip
    scored = score(tuple(np.float64(t) for t in numpy_of(outputs)), split.y_val, split.meta)
    assert trained == pytest.approx(scored["loss"], rel=1e-5)
    assert scored["loss"] == pytest.approx(scored["reconstruction"] + 0.5 * scored["kl"])


def test_a_few_steps_lower_the_loss(config: Config) -> None:
    keras.utils.set_random_seed(0)
    split = new_split(config, seed=0)
    x = split.x_train[:64]
    model = vae(config, size=16)
    compile_model(model, split.meta, lr=3e-3)
    before = model.test_on_batch(x, x, return_dict=True)["loss"]
    for _ in range(10):
        model.train_on_batch(x, x)
    assert model.test_on_batch(x, x, return_dict=True)["loss"] < 0.95 * before


def test_a_saved_model_loads_in_safe_mode_and_samples_the_same(tmp_path, config: Config) -> None:
    model = vae(config, size=16)
    codes = np.random.default_rng(1).standard_normal((3, 16)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")  # safe_mode is the default
    expected = keras.ops.convert_to_numpy(serving_model(model)(codes))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(serving_model(loaded)(codes)), expected)
    logits = keras.ops.convert_to_numpy(model.decoder(codes))
    np.testing.assert_allclose(expected, 1 / (1 + np.exp(-logits)), rtol=1e-5, atol=1e-6)
    assert expected.shape == (3, 16, 16, 3) and 0 <= expected.min() <= expected.max() <= 1
