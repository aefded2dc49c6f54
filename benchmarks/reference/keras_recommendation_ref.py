"""Reference: the Keras template's two-tower recommender with `compile`/`fit`, tuned the way Keras
documents.

Same log and split (the template's shared `interactions.py`, see `_recommendation.py`: 1,000
synthetic users by default, 500 items, each user's latest 20 % held out), same model (user and
item id `Embedding`s of 32, unit-variance normal rows, L2-normalised, cosine over a temperature of
0.2, float32 under mixed precision; called on (users, items) it gives the in-batch logits, on
users alone the scores of every item), same loss (the in-batch softmax with each item's logit
lowered by the log of its share of the training pairs, repeats of a row's own item masked out,
the batch's item ids as `y_true`), Adam lr 0.05, batch 128 over the shuffled training pairs with
the last short batch dropped, one epoch, then recall@10 and NDCG@10 over every held-out user
against the whole catalogue. Speed settings: NumPy arrays straight into `fit`, and `jit_compile`
on JAX (and on a GPU) but not on TensorFlow or torch on the CPU, as in `keras_ref.py`
(`--jit-compile true|false` overrides).
"""

from __future__ import annotations

import sys

import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import _recommendation as rec
import keras
import numpy as np
from _common import emit
from _keras import Clock, start
from keras import layers, ops


def unit(vectors):
    return vectors / ops.sqrt(ops.maximum(ops.sum(vectors * vectors, -1, keepdims=True), 1e-24))


class TwoTowers(keras.Model):
    def __init__(self, num_users: int, num_items: int, seed: int) -> None:
        super().__init__()
        normal = keras.initializers.RandomNormal
        self.users = layers.Embedding(num_users, rec.EMBEDDING_DIM, dtype="float32",
                                      embeddings_initializer=normal(stddev=1.0, seed=seed))  # fmt: skip
        self.items = layers.Embedding(num_items, rec.EMBEDDING_DIM, dtype="float32",
                                      embeddings_initializer=normal(stddev=1.0, seed=seed + 1))  # fmt: skip
        self.users.build((None,))
        self.items.build((None,))

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            users, items = unit(self.users(inputs[0])), unit(self.items(inputs[1]))
        else:
            users, items = unit(self.users(inputs)), unit(self.items.embeddings)
        return ops.matmul(users, ops.transpose(items)) / rec.TEMPERATURE


class InBatchSoftmax(keras.losses.Loss):
    def __init__(self, log_q: np.ndarray) -> None:
        super().__init__(name="in_batch_softmax")
        self.log_q = log_q

    def call(self, y_true, y_pred):
        items = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        logits = ops.cast(y_pred, "float32") - ops.take(ops.convert_to_tensor(self.log_q), items)
        own = ops.arange(ops.shape(items)[0])
        repeats = ops.logical_and(items[:, None] == items[None, :], own[:, None] != own[None, :])
        logits = ops.where(repeats, float("-inf"), logits)
        return -ops.diagonal(ops.log_softmax(logits, axis=-1))


def main() -> None:
    args, backend, gpu, jit = start(batch_size=rec.BATCH_SIZE)
    data, log_q = rec.load(args.num_samples, args.seed)
    model = TwoTowers(len(data.catalog.users), data.num_items, args.seed)
    model.compile(optimizer=keras.optimizers.Adam(rec.LR), loss=InBatchSoftmax(log_q),
                  jit_compile=jit)  # fmt: skip
    steps = len(data.train_users) // args.batch_size
    order = np.random.default_rng(args.seed).permutation(len(data.train_users))
    rows = order[: steps * args.batch_size]  # the last short batch dropped, as the template does
    users, items = data.train_users[rows], data.train_items[rows]
    clock = Clock(args.batch_size)
    model.fit((users, items), items, batch_size=args.batch_size, epochs=1, shuffle=True,
              verbose=0, callbacks=[clock])  # fmt: skip
    val_users = data.val_users

    def score_users(rows: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict_on_batch(val_users[rows]), np.float32)

    scores = rec.ranking(data, score_users, 256)
    device = "gpu" if gpu else "cpu"
    emit(clock.clock.report(**scores, backend=backend, jit_compile=jit, device=device))


if __name__ == "__main__":
    sys.exit(main())
