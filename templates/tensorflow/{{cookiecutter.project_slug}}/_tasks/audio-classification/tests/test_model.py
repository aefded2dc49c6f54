import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.clips import synthetic_clips
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import SpecMask, build_model
from {{ cookiecutter.package_name }}.optimizer import build_optimizer
from {{ cookiecutter.package_name }}.steps import make_train_step
from {{ cookiecutter.package_name }}.task import Task

CLASSES = ["a", "b", "c", "d", "e", "f"]


def _clips(n: int = 8) -> np.ndarray:
    return synthetic_clips(n, sample_rate=16000, clip_seconds=1.0, seed=0)[0]


def test_the_model_takes_waveforms_and_ignores_loudness():
    tf.keras.utils.set_random_seed(0)
    model = build_model(Config(), CLASSES)
    waves = _clips()
    logits = model(waves, training=False).numpy()
    assert logits.shape == (8, 6) and model.input_shape == (None, 16000)
    quieter = model(waves * 0.25, training=False).numpy()
    np.testing.assert_allclose(quieter, logits, atol=1e-3)  # standardised per clip
    alone = model(waves[3:4], training=False).numpy()
    np.testing.assert_allclose(alone[0], logits[3], atol=1e-5)  # batch-mates do not leak in


def test_masking_happens_in_training_only_and_follows_its_seed():
    tf.keras.utils.set_random_seed(0)
    x = tf.random.normal([16, 50, 20, 1])
    mask = SpecMask(8, axis=2)
    assert np.array_equal(mask(x, training=False).numpy(), x.numpy())
    state = mask.seed_generator.state.numpy()
    first = mask(x, training=True).numpy()
    zero_bands = (first == 0).all(axis=(1, 3))  # [batch, bands]
    assert zero_bands.any() and zero_bands.sum(axis=1).max() <= 8
    mask.seed_generator.state.assign(state)  # a resumed run restores this state
    np.testing.assert_array_equal(mask(x, training=True).numpy(), first)
    assert not np.array_equal(mask(x, training=True).numpy(), first)  # the stream moves on
    assert np.array_equal(SpecMask(0, axis=1)(x, training=True).numpy(), x.numpy())


def _one_step_lowers_the_loss(policy: str | None) -> None:
    config = Config()
    config.trainer.lr_schedule = "constant"
    tf.keras.utils.set_random_seed(0)
    waves, names = synthetic_clips(32, sample_rate=16000, clip_seconds=1.0, seed=1)
    model = build_model(config, CLASSES, policy)
    optimizer = build_optimizer(config.trainer, steps_per_epoch=1, policy=policy)
    optimizer.build(model.trainable_variables)
    task = Task(CLASSES)
    batch = tf.constant(waves)
    labels = tf.constant([sorted(set(names)).index(n) for n in names], tf.int64)
    step = make_train_step(
        tf.distribute.get_strategy(), model, optimizer, task, global_batch=32, jit_compile=False
    )

    def loss() -> float:
        return float(tf.reduce_mean(task.loss(model(batch, training=False), labels)))

    before = loss()
    for _ in range(3):
        step((batch, labels))
    assert loss() < before


def test_a_few_steps_lower_the_loss():
    _one_step_lowers_the_loss(None)


def test_a_few_bfloat16_steps_lower_the_loss():
    _one_step_lowers_the_loss("mixed_bfloat16")
