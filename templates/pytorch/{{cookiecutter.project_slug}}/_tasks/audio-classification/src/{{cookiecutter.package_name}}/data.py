"""The clips as waveform tensors, batched by index in `batches.EpochBatches` order. Every clip has
one length, so the waveforms sit in (device) memory as one [clips, samples] tensor and a batch is
one gather: no DataLoader workers, no per-clip Python."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .batches import EpochBatches
from .clips import Clips, load_clips
from .config import Config
from .distributed import Distributed
from .task_config import DataConfig
from .tensor_batches import TensorBatches


def load_audio(cfg: DataConfig, seed: int) -> Clips:
    return load_clips(
        cfg.source,
        num_samples=cfg.num_samples,
        sample_rate=cfg.sample_rate,
        clip_seconds=cfg.clip_seconds,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def to_tensors(
    waves: np.ndarray, labels: np.ndarray, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """float32 waveforms [clips, samples], what the model (and its export) takes, and the labels."""
    return torch.from_numpy(waves).to(device), torch.from_numpy(labels).to(device)


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    clips: Clips
    batches: EpochBatches

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    clips = load_audio(cfg, seed)
    batches = EpochBatches(len(clips.train_labels), cfg.batch_size, seed, ctx)
    # Copied to the device once, not once per batch.
    train = to_tensors(clips.train_waves, clips.train_labels, device)
    # Each rank scores a disjoint slice (no padding); the metrics gather all slices.
    mine = slice(ctx.rank, None, ctx.world_size)
    val = to_tensors(clips.val_waves[mine], clips.val_labels[mine], device)
    return Loaders(
        train=TensorBatches(train, cfg.batch_size, batches),
        val=TensorBatches(val, cfg.batch_size),
        clips=clips,
        batches=batches,
    )
