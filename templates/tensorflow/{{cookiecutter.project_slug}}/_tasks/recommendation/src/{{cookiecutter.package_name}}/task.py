"""What the training loop asks of the recommendation task: the in-batch softmax with its
sampling-bias correction, recall@k and NDCG@k over every held-out user, and the spec a checkpoint
carries about the data (the catalogue: its users, items, and what each user met in training)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from .interactions import Catalog
from .ranking import EPOCH_METRICS, ranking_scores, ranking_sums


@dataclass
class RankingSpec:
    catalog: Catalog
    top_k: int  # the k of recall@k and NDCG@k (model.top_k)


def in_batch_softmax(logits: tf.Tensor, items: tf.Tensor, log_q: tf.Tensor) -> tf.Tensor:
    """The per-pair cross-entropy of each pair's own item against the batch's other items. A
    popular item is every other pair's negative far more often than a rare one, which without the
    correction (column c lowered by log q_c) pushes every score towards popularity. A repeat of the
    row's own item elsewhere in the batch is the same item, not a negative: it is masked out."""
    logits = tf.cast(logits, tf.float32) - tf.gather(log_q, items)[tf.newaxis, :]
    size = tf.shape(items)[0]
    repeats = tf.logical_and(
        tf.equal(items[:, tf.newaxis], items[tf.newaxis, :]),
        tf.logical_not(tf.eye(size, dtype=tf.bool)),
    )
    # exp(-1e9) is 0 in float32, and unlike -inf it keeps every gradient finite.
    logits = tf.where(repeats, tf.constant(-1e9, tf.float32), logits)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.range(size), logits)


class Task:
    """A training batch is ((users, items), items): the model scores the pairs against the batch's
    own items, and the loss is the in-batch softmax. A validation batch is (users, targets), the
    targets int8 [batch, items] of `Interactions.targets`: the model scores the users against the
    whole catalogue, and `ranking_sums` (NumPy, the same code in every framework) turns each
    replica's batch into [loss, recall, NDCG, users] sums, which add up over batches and replicas
    exactly however the held-out users are cut. The ranks of the labels tell the two apart."""

    sum_names = ()  # no per-pair training sums beside the loss
    val_metrics = EPOCH_METRICS

    def __init__(self, spec: RankingSpec) -> None:
        self.spec = spec
        # Fixed for the run: the shares of the pairs the loss's batches are drawn from.
        self.log_q = tf.constant(spec.catalog.log_item_shares())

    def describe(self) -> str:
        catalog = self.spec.catalog
        return f"{len(catalog.users)} users, {len(catalog.items)} items, k {self.spec.top_k}"

    def loss(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """The per-pair loss of a training batch. Validation's loss is the ranking's (see `sums`),
        so the loop's own sum of it is left at zero."""
        if labels.shape.rank == 2:
            return tf.zeros(tf.shape(labels)[:1])
        return in_batch_softmax(outputs, labels, self.log_q)

    def sums(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        if labels.shape.rank != 2:
            return tf.zeros([0])
        k = self.spec.top_k
        sums = tf.numpy_function(
            lambda scores, targets: ranking_sums(scores, targets, k).astype(np.float32),
            [tf.cast(outputs, tf.float32), labels],
            tf.float32,
            stateful=False,
        )
        return tf.ensure_shape(sums, [4])

    def rows(self, outputs: tf.Tensor, labels: tf.Tensor) -> tuple:
        return ()  # every metric travels as sums

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        scores = ranking_scores(np.array(sums, np.float64))
        return {f"val_{name}": value for name, value in scores.items()}


def spec_to_text(spec: RankingSpec) -> str:
    return json.dumps({"catalog": spec.catalog.to_dict(), "top_k": spec.top_k})


def spec_from_text(text: str) -> RankingSpec:
    state = json.loads(text)
    return RankingSpec(Catalog.from_dict(state["catalog"]), int(state["top_k"]))


def spec_mismatch(saved: RankingSpec, current: RankingSpec) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    was, now = saved.catalog, current.catalog
    if was.users == now.users and was.items == now.items:
        return None
    same_sizes = (len(was.users), len(was.items)) == (len(now.users), len(now.items))
    return (
        f"the run was trained on {len(was.users)} users and {len(was.items)} items, but "
        f"data.source now holds {len(now.users)} users and {len(now.items)} items"
        f"{' (other ids)' if same_sizes else ''}"
    )
