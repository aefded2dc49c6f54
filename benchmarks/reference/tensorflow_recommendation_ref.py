"""Reference: the TensorFlow template's two-tower recommender in a minimal custom loop, TensorFlow's
way.

Same log and split (the template's shared `interactions.py`, see `_recommendation.py`), same model
(user and item id embeddings of 32, L2-normalised, cosine over a temperature of 0.2), same loss
(the in-batch softmax with each item's logit lowered by the log of its share of the training
pairs, repeats of a row's own item masked out), AdamW lr 0.05 with cosine decay (to 1 %) and
weight decay 1e-4, batch 128 over the shuffled training pairs with the last short batch dropped,
one epoch, then recall@10 and NDCG@10 over every held-out user against the whole catalogue.
Speed settings: the whole train step in one `tf.function`, cached and prefetched `tf.data`; no
XLA on the CPU (`--xla` turns it on).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _recommendation as rec
import tensorflow as tf
from _common import StepClock, emit, parse_args


class TwoTowers(tf.keras.Model):
    def __init__(self, num_users: int, num_items: int) -> None:
        super().__init__()
        self.users = tf.keras.layers.Embedding(num_users, rec.EMBEDDING_DIM)
        self.items = tf.keras.layers.Embedding(num_items, rec.EMBEDDING_DIM)
        self.items.build((None,))

    def call(self, users, items=None):
        u = tf.math.l2_normalize(self.users(users), axis=-1)
        table = self.items.embeddings if items is None else self.items(items)
        return (
            tf.matmul(u, tf.math.l2_normalize(table, axis=-1), transpose_b=True) / rec.TEMPERATURE
        )


def main() -> None:
    args = parse_args(
        **{"--xla": {"action": argparse.BooleanOptionalAction, "default": False}},
        batch_size=rec.BATCH_SIZE, num_samples=rec.NUM_USERS,
    )  # fmt: skip
    tf.keras.utils.set_random_seed(args.seed)
    data, log_q = rec.load(args.num_samples, args.seed)
    pairs = len(data.train_users)
    train = (
        tf.data.Dataset.from_tensor_slices((data.train_users, data.train_items))
        .cache()
        .shuffle(pairs, seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    model = TwoTowers(len(data.catalog.users), data.num_items)
    log_q = tf.constant(log_q)
    steps = pairs // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(rec.LR, decay_steps=steps, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4)

    @tf.function(jit_compile=args.xla)
    def train_step(users, items):
        with tf.GradientTape() as tape:
            logits = model(users, items, training=True) - tf.gather(log_q, items)[tf.newaxis, :]
            repeats = tf.logical_and(
                tf.equal(items[:, tf.newaxis], items[tf.newaxis, :]),
                tf.logical_not(tf.eye(tf.shape(items)[0], dtype=tf.bool)),
            )
            logits = tf.where(repeats, tf.constant(-1e9, logits.dtype), logits)
            targets = tf.range(tf.shape(items)[0])
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function(jit_compile=args.xla, reduce_retracing=True)
    def score(users):
        return model(users, training=False)

    clock = StepClock(args.batch_size)
    for users, items in train:
        train_step(users, items).numpy()
        clock.step_done()
    scores = rec.ranking(data, lambda rows: score(data.val_users[rows]).numpy(), 256)
    device = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    emit(clock.report(**scores, xla=args.xla, device=device))


if __name__ == "__main__":
    main()
