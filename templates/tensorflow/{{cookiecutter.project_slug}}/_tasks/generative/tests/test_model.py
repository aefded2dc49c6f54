import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import ImageSpec, Task, elbo_terms


def test_shapes_and_a_decoder_of_its_own():
    config = Config()
    model = build_model(config, ImageSpec(32, 3))
    logits, mean, log_var = model(np.zeros((2, 32, 32, 3), np.float32))
    assert logits.shape == (2, 32, 32, 3) and mean.shape == log_var.shape == (2, 16)
    decoder = model.get_layer("decoder")
    assert decoder(np.zeros((5, 16), np.float32)).shape == (5, 32, 32, 3)


def test_grey_images_and_three_blocks():
    config = load_config(Config, None, ["data.channels=1", "model.widths=[8, 16, 32]"])
    model = build_model(config, ImageSpec(32, 1))
    logits, _, _ = model(np.zeros((1, 32, 32, 1), np.float32))
    assert logits.shape == (1, 32, 32, 1)


def test_validation_decodes_the_mean_and_training_draws_around_it():
    model = build_model(Config(), ImageSpec(32, 3))
    images = np.random.default_rng(0).random((4, 32, 32, 3), np.float32)
    first, second = (model(images, training=False)[0].numpy() for _ in range(2))
    np.testing.assert_array_equal(first, second)
    drawn = model(images, training=True)[0].numpy()
    assert not np.allclose(drawn, first)


def test_the_loss_is_the_negative_elbo_per_image():
    """Zero logits are p = 0.5 everywhere: log 2 per pixel; a standard-normal code costs no KL."""
    images = tf.zeros((2, 4, 4, 1))
    zeros = tf.zeros((2, 3))
    rec, kl = elbo_terms((tf.zeros((2, 4, 4, 1)), zeros, zeros), images)
    np.testing.assert_allclose(rec.numpy(), [16 * np.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(kl.numpy(), [0, 0], atol=1e-7)
    shifted = (tf.zeros((2, 4, 4, 1)), tf.ones((2, 3)), zeros)
    _, kl = elbo_terms(shifted, images)
    np.testing.assert_allclose(kl.numpy(), [1.5, 1.5], rtol=1e-6)  # 0.5 * |mean|^2
    task = Task(ImageSpec(4, 1), load_config(Config, None, ["model.beta=2"]).model)
    loss = task.loss(shifted, images).numpy()
    np.testing.assert_allclose(loss, 16 * np.log(2) + 2 * 1.5, rtol=1e-6)
    assert task.sums(shifted, images).numpy() == pytest.approx([32 * np.log(2), 3.0], rel=1e-6)
