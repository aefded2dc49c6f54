import numpy as np
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.interactions import Catalog
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.optimizer import build_optimizer
from {{ cookiecutter.package_name }}.steps import make_train_step
from {{ cookiecutter.package_name }}.task import RankingSpec, Task

USERS, ITEMS = 12, 9


def _spec() -> RankingSpec:
    seen = [[u % ITEMS, (u + 1) % ITEMS] for u in range(USERS)]
    catalog = Catalog([f"u{u}" for u in range(USERS)], [f"i{i}" for i in range(ITEMS)], seen)
    return RankingSpec(catalog, top_k=5)


def test_users_are_scored_against_the_whole_table_and_pairs_in_batch():
    tf.keras.utils.set_random_seed(0)
    model = build_model(Config(), _spec())
    users, items = tf.constant([3, 0, 7], tf.int64), tf.constant([4, 4, 1], tf.int64)
    scores = model(users, training=False).numpy()
    assert scores.shape == (3, ITEMS) and scores.dtype == np.float32
    in_batch = model((users, items), training=True).numpy()
    np.testing.assert_allclose(in_batch, scores[:, items.numpy()], rtol=1e-6)
    # Cosine over the temperature: bounded by 1 / 0.2.
    assert np.abs(scores).max() <= 1 / Config().model.temperature + 1e-5
    alone = model(users[1:2], training=False).numpy()
    np.testing.assert_allclose(alone[0], scores[1], atol=1e-6)


def test_the_towers_stay_float32_under_mixed_precision():
    tf.keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = build_model(Config(), _spec(), "mixed_bfloat16")
        assert model(tf.constant([1, 2], tf.int64)).dtype == tf.float32
        assert all(v.dtype == tf.float32 for v in model.weights)
    finally:
        tf.keras.mixed_precision.set_global_policy("float32")


def test_a_few_steps_lower_the_loss():
    config = Config()
    config.trainer.lr_schedule = "constant"
    tf.keras.utils.set_random_seed(0)
    spec = _spec()
    model = build_model(config, spec)
    optimizer = build_optimizer(config.trainer, steps_per_epoch=1, policy=None)
    optimizer.build(model.trainable_variables)
    task = Task(spec)
    users = tf.constant(np.arange(USERS), tf.int64)
    items = tf.constant([u % ITEMS for u in range(USERS)], tf.int64)
    step = make_train_step(
        tf.distribute.get_strategy(), model, optimizer, task, global_batch=USERS, jit_compile=False
    )

    def loss() -> float:
        return float(tf.reduce_mean(task.loss(model((users, items), training=False), items)))

    before = loss()
    for _ in range(3):
        step(((users, items), items))
    assert loss() < before
