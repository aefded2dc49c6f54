"""The Transformer: shapes at any length, causality, the tied output layer, and learning."""

import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.data import load_datasets
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import Task

from .conftest import small_config


def small(tmp_path):
    config = small_config(tmp_path)
    data = load_datasets(config.data, seed=0)
    return config, data, build_model(config, data.spec)


def first_windows(data, count: int) -> tuple[np.ndarray, np.ndarray]:
    inputs, targets = next(iter(data.val.batch(count)))
    return inputs.numpy(), targets.numpy()


def test_scores_for_every_position_from_the_token_table(tmp_path):
    config, data, model = small(tmp_path)
    ids, _ = first_windows(data, 3)
    vocab = data.spec.vocab_size
    assert model(ids).shape == (3, 16, vocab)
    assert model(ids[:2, :5]).shape == (2, 5, vocab)  # shorter contexts too
    tables = [w for w in model.weights if tuple(w.shape) == (vocab, config.model.dim)]
    assert len(tables) == 1  # the output layer reads the embedding: no second matrix


def test_a_position_sees_only_the_tokens_before_it(tmp_path):
    _, data, model = small(tmp_path)
    ids, _ = first_windows(data, 1)
    changed = ids.copy()
    changed[0, 9] = (ids[0, 9] + 1) % data.spec.vocab_size
    a, b = model(ids).numpy(), model(changed).numpy()
    np.testing.assert_allclose(a[0, :9], b[0, :9], atol=1e-5)  # before the change: untouched
    assert not np.allclose(a[0, 9:], b[0, 9:])


def test_a_few_steps_lower_the_loss(tmp_path):
    tf.keras.utils.set_random_seed(0)
    _, data, model = small(tmp_path)
    task = Task(data.spec)
    ids, targets = first_windows(data, 16)
    optimizer = tf.keras.optimizers.Adam(3e-3)

    def loss() -> tf.Tensor:
        return tf.reduce_mean(task.loss(model(ids, training=True), targets))

    before = float(loss())
    for _ in range(10):
        with tf.GradientTape() as tape:
            value = loss()
        grads = tape.gradient(value, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    assert float(loss()) < 0.8 * before
