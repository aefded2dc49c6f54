"""The table's training and held-out rows as tensors, batched by index in `batches.EpochBatches`
order: the whole table sits in (device) memory, so a batch is one indexing operation."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch

from .batches import EpochBatches
from .config import Config
from .distributed import Distributed
from .table import Preprocessing, Split, load_split
from .task_config import DataConfig
from .tensor_batches import TensorBatches


def load_table(cfg: DataConfig, seed: int) -> Split:
    return load_split(
        cfg.source,
        target=cfg.target,
        objective=cfg.objective,
        num_samples=cfg.num_samples,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def to_tensors(
    prep: Preprocessing, frame: pd.DataFrame, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, ...]:
    """The model's inputs (raw numbers with NaN, category ids) and the labels of `frame`."""
    arrays = (prep.numeric_values(frame), prep.category_ids(frame), prep.labels(frame))
    return tuple(torch.from_numpy(a).to(device) for a in arrays)


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    table: Split
    batches: EpochBatches

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    table = load_table(cfg, seed)
    batches = EpochBatches(len(table.train), cfg.batch_size, seed, ctx)
    # A table fits in device memory: copied there once, not once per batch.
    train = TensorBatches(to_tensors(table.prep, table.train, device), cfg.batch_size, batches)
    # Each rank scores a disjoint slice (no padding); the metrics gather all slices.
    mine = table.val.iloc[ctx.rank :: ctx.world_size]
    val = TensorBatches(to_tensors(table.prep, mine, device), cfg.batch_size)
    return Loaders(train=train, val=val, table=table, batches=batches)
