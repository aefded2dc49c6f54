import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.optimizer import build_optimizer
from {{ cookiecutter.package_name }}.steps import make_train_step
from {{ cookiecutter.package_name }}.task import Task

CLASSES = [f"class_{i}" for i in range(10)]


def test_output_shape_and_size():
    model = build_model(Config(), CLASSES)
    assert model(tf.zeros([4, 28, 28, 1])).shape == (4, 10)
    assert 80_000 < model.count_params() < 130_000


def _one_step_lowers_the_loss(policy):
    config = Config()
    config.trainer.lr_schedule = "constant"
    strategy = tf.distribute.get_strategy()
    tf.keras.utils.set_random_seed(0)
    model = build_model(config, CLASSES, policy)
    optimizer = build_optimizer(config.trainer, steps_per_epoch=1, policy=policy)
    optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(0, 1, (32, 28, 28, 1)), tf.float32)
    labels = tf.constant(rng.integers(0, 10, 32), tf.int32)
    step = make_train_step(
        strategy, model, optimizer, Task(CLASSES), global_batch=32, jit_compile=False
    )

    def loss() -> float:
        logits = model(images, training=False)
        return float(tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)))

    before = loss()
    step((images, labels))
    assert loss() < before
    assert int(optimizer.iterations) == 1


def test_one_step_lowers_the_loss():
    _one_step_lowers_the_loss(None)


def test_one_bfloat16_step_lowers_the_loss():
    _one_step_lowers_the_loss("mixed_bfloat16")
