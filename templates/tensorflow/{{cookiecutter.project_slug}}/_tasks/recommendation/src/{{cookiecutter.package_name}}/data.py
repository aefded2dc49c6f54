"""The interactions as tf.data: read and split per user by `interactions.py`, then sliced from
in-memory id tensors; `batches.py` shuffles, batches and prefetches the training pairs (AUTOTUNE).

A training sample is ((user, item), item): the model's two inputs, then the item again as the
loss's label (each pair's own item is its positive, the other items of its batch its negatives).
A validation batch is (users, targets), the targets built for that batch alone, so no
[users, items] matrix is ever held for the whole split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from .batches import Datasets
from .interactions import Interactions, load_interactions
from .ranking import popularity_baseline
from .task import RankingSpec
from .task_config import DataConfig

__all__ = ["InteractionDatasets", "load_datasets", "load_split"]


@dataclass
class InteractionDatasets(Datasets):
    """The common pipelines; `val` holds (user, row in val_users) pairs, and each of its batches
    gets its targets from `interactions`."""

    interactions: Interactions | None = None

    def val_batches(self) -> tf.data.Dataset:
        data = self.interactions

        def with_targets(users: tf.Tensor, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            # int8 [batch, items]: 1 held out, -1 met in training. Built on the host per batch;
            # under multi-worker each worker then keeps its share of the batch.
            targets = tf.numpy_function(data.targets, [rows], tf.int8, stateful=False)
            targets.set_shape([None, data.num_items])
            return users, targets

        return super().val_batches().map(with_targets).prefetch(tf.data.AUTOTUNE)


def load_split(cfg: DataConfig, seed: int) -> Interactions:
    """The configured interactions and their per-user split (the same on every rank)."""
    return load_interactions(
        cfg.source,
        num_users=cfg.num_users,
        num_items=cfg.num_items,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def load_datasets(cfg: DataConfig, seed: int, top_k: int) -> InteractionDatasets:
    """The train and validation pipelines; the spec is the catalogue and the k of recall@k and
    NDCG@k (`model.top_k`), which the popularity baseline is scored at too."""
    data = load_split(cfg, seed)
    pairs = tf.data.Dataset.from_tensor_slices(
        ((data.train_users, data.train_items), data.train_items)
    )
    rows = np.arange(len(data.val_users), dtype=np.int64)
    summary = {
        "num_users": len(data.catalog.users),
        "num_items": data.num_items,
        "k": top_k,
        "baselines": {"popularity": popularity_baseline(data, top_k)},
    }
    return InteractionDatasets(
        samples=pairs,
        val=tf.data.Dataset.from_tensor_slices((data.val_users, rows)),
        num_train=len(data.train_users),
        num_val=len(data.val_users),
        spec=RankingSpec(data.catalog, top_k),
        batch_size=cfg.batch_size,
        shuffle_buffer=len(data.train_users),  # every pair is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
        interactions=data,
    )
