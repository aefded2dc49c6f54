"""Two towers of id embeddings, a user's and an item's, compared by cosine similarity over a
temperature (about 48k parameters at the defaults). On ids alone a tower is its embedding table: an
MLP over one id learns nothing a wider table does not. Features (a user's country, an item's
category or text) would enter here, each tower encoding them beside its id embedding.

The towers always compute in float32, whatever the mixed-precision policy: in bfloat16 a cosine
keeps about 3 significant digits, enough to reorder close items in a top 10, and the model is
lookups and one narrow matrix product, so reduced precision would save next to nothing.
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .task import RankingSpec


class TwoTowers(tf.keras.Model):
    """model(users) scores int64 user indices [batch] against the whole item table: float32
    [batch, items], what evaluation, `predict` and the export use. model((users, items)) scores a
    training batch of pairs against the batch's own items: the in-batch logits [batch, batch],
    entry (b, c) the score of item c for user b."""

    def __init__(
        self, num_users: int, num_items: int, embedding_dim: int, temperature: float, **kwargs
    ) -> None:
        super().__init__(dtype="float32", **kwargs)
        self.users = tf.keras.layers.Embedding(num_users, embedding_dim, dtype="float32")
        self.items = tf.keras.layers.Embedding(num_items, embedding_dim, dtype="float32")
        self.temperature = temperature
        self.users.build((None,))
        self.items.build((None,))

    def user_vectors(self, users: tf.Tensor) -> tf.Tensor:
        return tf.math.l2_normalize(self.users(users), axis=-1)

    def item_vectors(self, items: tf.Tensor | None = None) -> tf.Tensor:
        """The unit vectors of `items`, or of every item: the table an approximate nearest
        neighbour index would hold."""
        table = self.items.embeddings if items is None else self.items(items)
        return tf.math.l2_normalize(table, axis=-1)

    def call(self, inputs, items: tf.Tensor | None = None) -> tf.Tensor:
        # The training loop hands a batch's features over as one value: the (users, items) pair.
        users, items = inputs if isinstance(inputs, (tuple, list)) else (inputs, items)
        scores = tf.matmul(self.user_vectors(users), self.item_vectors(items), transpose_b=True)
        return scores / self.temperature


def build_model(
    config: Config, spec: RankingSpec, dtype_policy: str | None = None
) -> tf.keras.Model:
    """user indices int64 [batch] -> scores float32 [batch, items] (see TwoTowers). The policy is
    accepted like every task's and left unused: the towers stay float32 (see above)."""
    m, catalog = config.model, spec.catalog
    return TwoTowers(
        len(catalog.users), len(catalog.items), m.embedding_dim, m.temperature, name="two_towers"
    )
