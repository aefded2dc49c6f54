import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.optimizer import build_optimizer
from {{ cookiecutter.package_name }}.steps import make_train_step
from {{ cookiecutter.package_name }}.task import Task, TextSpec
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer

TEXTS = ["a great film", "an awful plot and a boring cast", "fine", "not good at all really"]


def _spec() -> TextSpec:
    tokenizer = TextTokenizer.train(TEXTS * 5, vocab_size=60)
    return TextSpec(classes=["negative", "positive"], tokenizer_json=tokenizer.to_str())


def test_padding_does_not_change_a_texts_logits():
    tf.keras.utils.set_random_seed(0)
    spec = _spec()
    model = build_model(Config(), spec)
    ids = spec.tokenizer.encode(TEXTS, 64)
    longer = np.pad(ids, ((0, 0), (0, 9)))
    short, padded = model(ids, training=False).numpy(), model(longer, training=False).numpy()
    assert short.shape == (4, 2)
    np.testing.assert_allclose(short, padded, atol=1e-5)
    alone = model(spec.tokenizer.encode(TEXTS[2:3], 64), training=False).numpy()
    np.testing.assert_allclose(alone[0], short[2], atol=1e-5)  # batch-mates do not leak in


def _one_step_lowers_the_loss(policy: str | None) -> None:
    config = Config()
    config.trainer.lr_schedule = "constant"
    tf.keras.utils.set_random_seed(0)
    spec = _spec()
    model = build_model(config, spec, policy)
    optimizer = build_optimizer(config.trainer, steps_per_epoch=1, policy=policy)
    optimizer.build(model.trainable_variables)
    task = Task(spec)
    ids = tf.constant(spec.tokenizer.encode(TEXTS * 8, 64))
    labels = tf.constant([1, 0, 1, 0] * 8, tf.int64)
    step = make_train_step(
        tf.distribute.get_strategy(), model, optimizer, task, global_batch=32, jit_compile=False
    )

    def loss() -> float:
        return float(tf.reduce_mean(task.loss(model(ids, training=False), labels)))

    before = loss()
    step((ids, labels))
    assert loss() < before


def test_one_step_lowers_the_loss():
    _one_step_lowers_the_loss(None)


def test_one_bfloat16_step_lowers_the_loss():
    _one_step_lowers_the_loss("mixed_bfloat16")
