"""Two towers of id embeddings, a user's and an item's, compared by cosine similarity over a
temperature (about 48k parameters at the defaults). On ids alone a tower is its embedding table: an
MLP over one id learns nothing a wider table does not. Features (a user's country, an item's
category or text) would enter here, each tower encoding them beside its id embedding.

The model is a registered `keras.Model` subclass, so `best.keras` loads in safe mode. Its call
takes either shape of input: `(users, items)`, a training batch of pairs, gives the in-batch logits
[batch, batch]; `users` alone gives the scores of every item, [batch, items], what validation,
evaluate, `predict` and the export use.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .task_config import ModelConfig


def unit(vectors):
    """Each row over its length (a zero row stays zero)."""
    squares = ops.sum(vectors * vectors, axis=-1, keepdims=True)
    return vectors / ops.sqrt(ops.maximum(squares, 1e-24))


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class TwoTowers(keras.Model):
    def __init__(
        self, num_users: int, num_items: int, embedding_dim: int, temperature: float,
        seed: int = 0, **kwargs,
    ) -> None:  # fmt: skip
        # Float32 under mixed precision, the model as well as its tables: in bfloat16 a cosine
        # keeps about 3 significant digits, enough to reorder close items in a top 10, and the
        # towers are lookups and one narrow matrix product, so half precision would save next to
        # nothing. The model's own policy counts too: under a mixed one, Keras would cast the item
        # table to bfloat16 where `call` reads it whole.
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.num_users, self.num_items = num_users, num_items
        self.embedding_dim, self.temperature, self.seed = embedding_dim, temperature, seed
        # Unit-variance rows, so that a step of `trainer.lr` is small beside a vector's length.
        self.users = self.table(num_users, "users", seed)
        self.items = self.table(num_items, "items", seed + 1)
        self.users.build((None,))
        self.items.build((None,))
        self.built = True

    def table(self, rows: int, name: str, seed: int) -> layers.Embedding:
        normal = keras.initializers.RandomNormal(stddev=1.0, seed=seed)
        return layers.Embedding(rows, self.embedding_dim, embeddings_initializer=normal,
                                dtype="float32", name=name)  # fmt: skip

    @property
    def inputs(self) -> list:
        """What the export serves: user indices. A subclassed model has no symbolic inputs of its
        own, and the export's signature is read from them."""
        return [keras.KerasTensor((None,), dtype="int64", name="users")]

    def user_vectors(self, users):
        return unit(self.users(users))

    def item_vectors(self, items=None):
        """The unit vectors of `items`, or of every item: the table an approximate nearest
        neighbour index would hold."""
        return unit(self.items.embeddings if items is None else self.items(items))

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            users, items = inputs
            return self.similarity(self.user_vectors(users), self.item_vectors(items))
        return self.similarity(self.user_vectors(inputs), self.item_vectors())

    def similarity(self, users, items):
        return ops.matmul(users, ops.transpose(ops.convert_to_tensor(items))) / self.temperature

    def get_config(self) -> dict:
        return {"num_users": self.num_users, "num_items": self.num_items, "name": self.name,
                "embedding_dim": self.embedding_dim, "temperature": self.temperature,
                "seed": self.seed}  # fmt: skip


def build_model(data, cfg: ModelConfig, meta, seed: int = 0) -> keras.Model:
    """`meta` is the run's `task.Meta`: its catalogue sizes the tables."""
    catalog = meta.catalog
    return TwoTowers(len(catalog.users), len(catalog.items), cfg.embedding_dim, cfg.temperature,
                     seed=seed, name="two_towers")  # fmt: skip


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class InBatchSoftmax(keras.losses.Loss):
    """The sampling-bias-corrected in-batch softmax: cross-entropy of each pair's own item (the
    diagonal of the in-batch logits) against the batch's other items. `y_true` is the batch's
    item ids. A popular item is every other pair's negative far more often than a rare one,
    which without the correction (column c lowered by log q_c, `log_q` the log of each item's
    share of the training pairs) pushes every score towards popularity. A repeat of the row's
    own item elsewhere in the batch is the same item, not a negative: it is masked out."""

    def __init__(self, log_q, name: str = "in_batch_softmax", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.log_q = [float(v) for v in log_q]  # a list, for the saved compile config

    def call(self, y_true, y_pred):
        items = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        log_q = ops.take(ops.convert_to_tensor(self.log_q, dtype="float32"), items)
        logits = ops.cast(y_pred, "float32") - log_q[None, :]
        own = ops.arange(ops.shape(items)[0])
        repeats = ops.logical_and(items[:, None] == items[None, :], own[:, None] != own[None, :])
        logits = ops.where(repeats, float("-inf"), logits)
        return -ops.diagonal(ops.log_softmax(logits, axis=-1))

    def get_config(self) -> dict:
        return {**super().get_config(), "log_q": self.log_q}
