"""Batching for every task: a seeded shuffle per epoch, fixed-size training batches, prefetch.

The training order is a pure function of the seed and the epoch: epoch `e` is shuffled with a seed
made of (`trainer.seed`, `e`) alone, never from how many epochs this process has already iterated.
A run resumed at epoch 3, step 10 therefore builds epoch 3's batches and skips 10 of them, and
sees exactly the batches an unbroken run sees. Under multi-worker training each worker builds
the same stream and keeps its share of every batch (auto-shard policy DATA), so the order must not
depend on the process either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tensorflow as tf

from .errors import ConfigError
from .seeding import epoch_seed


@dataclass
class Datasets:
    samples: tf.data.Dataset  # training samples (features, label), unbatched, not yet shuffled
    val: tf.data.Dataset  # unbatched validation samples
    num_train: int
    num_val: int
    # What the model must fit (the task's, see task.py); saved in every checkpoint.
    spec: Any
    batch_size: int
    shuffle_buffer: int
    seed: int
    source: str
    summary: dict = field(default_factory=dict)  # what train and evaluate report about the data

    def __post_init__(self) -> None:
        if self.num_train < self.batch_size:
            raise ConfigError(
                f"data.batch_size = {self.batch_size} is more than the {self.num_train} training "
                f"samples of {self.source!r}; lower it (or add data)"
            )

    @property
    def steps_per_epoch(self) -> int:
        # A fixed training batch keeps shapes static (one trace, XLA-friendly) and the loss
        # scaling exact, so the last partial batch of an epoch is dropped.
        return self.num_train // self.batch_size

    def train_batches(self, epoch: int, skip: int = 0) -> tf.data.Dataset:
        """The batches of `epoch` (1-based), less its first `skip`."""
        shuffled = self.samples.shuffle(
            self.shuffle_buffer, seed=epoch_seed(self.seed, epoch), reshuffle_each_iteration=False
        )
        return _finish(shuffled.batch(self.batch_size, drop_remainder=True).skip(skip))

    def val_batches(self) -> tf.data.Dataset:
        """The validation split in batches, the last one short."""
        return _finish(self.val.batch(self.batch_size))


def _finish(ds: tf.data.Dataset) -> tf.data.Dataset:
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)
