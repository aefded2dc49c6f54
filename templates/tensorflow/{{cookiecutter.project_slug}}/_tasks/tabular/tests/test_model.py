import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.optimizer import build_optimizer
from {{ cookiecutter.package_name }}.steps import make_train_step
from {{ cookiecutter.package_name }}.table import Preprocessing
from {{ cookiecutter.package_name }}.task import Task


def _prep(objective: str) -> Preprocessing:
    return Preprocessing(
        target="y",
        objective=objective,
        numeric=["a", "b"],
        means=[10.0, 0.0],
        stds=[2.0, 1.0],
        categorical=["c"],
        vocabularies=[["p", "q", "r"]],
        classes=["no", "yes"] if objective == "classification" else [],
    )


def _inputs(rows: int) -> dict[str, tf.Tensor]:
    rng = np.random.default_rng(0)
    numeric = rng.normal(10.0, 2.0, (rows, 2)).astype(np.float32)
    numeric[::3, 0] = np.nan
    categorical = rng.integers(0, 4, (rows, 1))
    return {"numeric": tf.constant(numeric), "categorical": tf.constant(categorical, tf.int64)}


def test_outputs_are_finite_with_missing_values():
    classifier = build_model(Config(), _prep("classification"))
    logits = classifier(_inputs(6), training=False)
    assert logits.shape == (6, 2) and bool(tf.reduce_all(tf.math.is_finite(logits)))
    regressor = build_model(Config(), _prep("regression"))
    assert regressor(_inputs(6), training=False).shape == (6,)


def test_a_missing_number_reads_as_the_training_mean():
    model = build_model(Config(), _prep("classification"))
    standardize = model.get_layer(index=2)  # after the two inputs
    out = standardize(tf.constant([[np.nan, 1.0], [12.0, 1.0]], tf.float32)).numpy()
    np.testing.assert_allclose(out, [[0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]])


def _one_step_lowers_the_loss(objective: str, policy: str | None) -> None:
    config = Config()
    config.trainer.lr_schedule = "constant"
    tf.keras.utils.set_random_seed(0)
    prep = _prep(objective)
    model = build_model(config, prep, policy)
    optimizer = build_optimizer(config.trainer, steps_per_epoch=1, policy=policy)
    optimizer.build(model.trainable_variables)
    task, inputs = Task(prep), _inputs(32)
    rng = np.random.default_rng(1)
    if objective == "classification":
        labels = tf.constant(rng.integers(0, 2, 32), tf.int64)
    else:
        labels = tf.constant(rng.normal(0, 1, 32), tf.float32)
    step = make_train_step(
        tf.distribute.get_strategy(), model, optimizer, task, global_batch=32, jit_compile=False
    )

    def loss() -> float:
        return float(tf.reduce_mean(task.loss(model(inputs, training=False), labels)))

    before = loss()
    step((inputs, labels))
    assert loss() < before


def test_one_step_lowers_the_loss():
    _one_step_lowers_the_loss("classification", None)
    _one_step_lowers_the_loss("regression", None)


def test_one_bfloat16_step_lowers_the_loss():
    _one_step_lowers_the_loss("classification", "mixed_bfloat16")
