"""The held-out split and its batches, in the training order of `batches.EpochBatches`.

Images already in memory (synthetic, .npz, .csv) sit on the device as one channels-last tensor and a
batch is one gather: no worker processes, no per-image Python. An image folder decodes lazily
through a DataLoader, whose `data.num_workers` processes decode ahead of the step."""

from __future__ import annotations

import signal
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Subset

from .batches import EpochBatches
from .config import Config
from .distributed import Distributed
from .sources import ArrayDataset, load_source
from .tensor_batches import TensorBatches


def split(dataset: Dataset, val_fraction: float, seed: int) -> tuple[Subset, Subset]:
    """The same seed gives the same held-out samples in train, evaluate and every rank."""
    n = len(dataset)  # type: ignore[arg-type]
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])


def ignore_stop_signals(worker_id: int) -> None:
    """Ctrl-C reaches every process of the terminal's group, and schedulers signal every process
    of a job: the loader's workers leave the stop to the training process and keep serving the
    batches of the step it finishes. They still end with it (the loader shuts them down)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


@dataclass
class Loaders:
    train: DataLoader | TensorBatches
    val: DataLoader | TensorBatches
    classes: list[str]
    batches: EpochBatches
    seed: int

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)
        if not isinstance(self.train, DataLoader):
            return
        # The loader draws its workers' seeds from this generator, not from the global one that
        # dropout uses, and from (seed, epoch) only, like the order.
        assert self.train.generator is not None
        worker_seed = np.random.SeedSequence((self.seed, epoch)).generate_state(1, np.uint64)[0]
        self.train.generator.manual_seed(int(worker_seed))


def _on_device(dataset: ArrayDataset, rows: list[int], device: torch.device) -> tuple[Tensor, ...]:
    """Copied to the device once, not once per batch; channels-last like the model."""
    index = torch.tensor(rows, dtype=torch.long)
    images = dataset.images[index].to(device).contiguous(memory_format=torch.channels_last)
    return images, dataset.labels[index].to(device)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    source = load_source(cfg, seed)
    train_set, val_set = split(source.dataset, cfg.val_fraction, seed)
    batches = EpochBatches(len(train_set), cfg.batch_size, seed, ctx)
    # Each rank scores a disjoint slice (no padding), so summed metrics are exact.
    mine = list(range(ctx.rank, len(val_set), ctx.world_size))
    if isinstance(source.dataset, ArrayDataset):
        train_rows, val_rows = train_set.indices, [val_set.indices[i] for i in mine]
        on_device = _on_device(source.dataset, train_rows, device)
        train = TensorBatches(on_device, cfg.batch_size, batches)
        val = TensorBatches(_on_device(source.dataset, val_rows, device), cfg.batch_size)
        return Loaders(train=train, val=val, classes=source.classes, batches=batches, seed=seed)
    common = {
        "num_workers": cfg.num_workers,
        "pin_memory": device.type == "cuda",  # page-locked memory makes non_blocking copies async
        "persistent_workers": cfg.num_workers > 0,
        "worker_init_fn": ignore_stop_signals if cfg.num_workers > 0 else None,
    }
    train = DataLoader(train_set, batch_sampler=batches, generator=torch.Generator(), **common)
    val = DataLoader(Subset(val_set, mine), batch_size=cfg.batch_size, shuffle=False, **common)
    return Loaders(train=train, val=val, classes=source.classes, batches=batches, seed=seed)
