import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.optimizer import build_optimizer


def test_float16_policy_uses_loss_scaling():
    optimizer = build_optimizer(Config().trainer, steps_per_epoch=1, policy="mixed_float16")
    assert isinstance(optimizer, tf.keras.optimizers.LossScaleOptimizer)
