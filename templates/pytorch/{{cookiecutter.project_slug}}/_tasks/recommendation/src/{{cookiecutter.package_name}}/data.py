"""The interactions as id tensors, batched by index in `batches.EpochBatches` order. A training
batch is (users, items, items): the model's two inputs, then the items again as the loss's labels
(each pair's own item is its positive). A validation batch is (users, targets), the targets built
for that batch alone, so no [users, items] matrix is ever held for the whole split."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .batches import EpochBatches
from .config import Config
from .distributed import Distributed
from .interactions import Interactions, load_interactions
from .task_config import DataConfig
from .tensor_batches import Batch, TensorBatches


def load_data(cfg: DataConfig, seed: int) -> Interactions:
    return load_interactions(
        cfg.source,
        num_users=cfg.num_users,
        num_items=cfg.num_items,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


class HeldOutTargets:
    """Turns a batch of (val users, their rows in `val_users`) into (val users, targets): int8
    [batch, items], 1 for a held-out item, -1 for one met in training."""

    def __init__(self, data: Interactions) -> None:
        self.data = data

    def __call__(self, batch: Batch) -> Batch:
        users, rows = batch
        return users, torch.from_numpy(self.data.targets(rows.numpy()))


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    data: Interactions
    batches: EpochBatches
    top_k: int  # the k of recall@k and NDCG@k

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    data = load_data(cfg, seed)
    batches = EpochBatches(len(data.train_users), cfg.batch_size, seed, ctx)
    # Copied to the device once, not once per batch.
    users = torch.from_numpy(data.train_users).to(device)
    items = torch.from_numpy(data.train_items).to(device)
    # Each rank scores a disjoint slice of the held-out users (no padding); the metrics add up
    # every slice's sums. Kept on the CPU: the targets are built there, from the rows, per batch.
    rows = torch.arange(len(data.val_users))[ctx.rank :: ctx.world_size]
    val_users = torch.from_numpy(data.val_users)[rows]
    return Loaders(
        train=TensorBatches((users, items, items), cfg.batch_size, batches),
        val=TensorBatches((val_users, rows), cfg.batch_size, finish=HeldOutTargets(data)),
        data=data,
        batches=batches,
        top_k=config.model.top_k,
    )
