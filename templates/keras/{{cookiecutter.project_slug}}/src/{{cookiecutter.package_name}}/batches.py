"""Batches for `fit` and for scoring, as `keras.utils.PyDataset`s (every backend reads them).

Training batches are reshuffled every epoch by a permutation drawn from (seed, epoch) alone, so a
resumed run sees exactly the batches an unbroken run would. Scoring batches are padded to a multiple
of the device count, so data-parallel sharding never meets a batch it cannot split; the padded rows'
predictions are dropped, so every sample counts exactly once.
"""

from __future__ import annotations

import math

import keras
import numpy as np


class TrainBatches(keras.utils.PyDataset):
    """Full batches of (images, labels) in a per-epoch order; the last partial batch is dropped,
    so every step has one shape (no recompilation) that divides across data-parallel devices."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> None:
        super().__init__()
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Called at the start of every epoch (by `EpochOrder`), also the first after a resume."""
        self.epoch = epoch
        self.order = np.random.default_rng([self.seed, epoch]).permutation(len(self.x))

    def __len__(self) -> int:
        return len(self.x) // self.batch_size

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[rows], self.y[rows]


class ScoreBatches(keras.utils.PyDataset):
    """Images in order, the last batch padded (with copies of its last row) to a multiple of
    `multiple`; `len(x)` says how many predictions are real."""

    def __init__(self, x: np.ndarray, batch_size: int, multiple: int = 1) -> None:
        super().__init__()
        self.x = x
        self.batch_size = batch_size
        self.multiple = multiple

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray]:
        batch = self.x[index * self.batch_size : (index + 1) * self.batch_size]
        short = -len(batch) % self.multiple
        if short:
            batch = np.concatenate([batch, np.repeat(batch[-1:], short, axis=0)])
        return (batch,)
