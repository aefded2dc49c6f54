"""The images as float32 tensors [N, C, H, W] in [0, 1], batched by index in `batches.EpochBatches`
order. A batch is (images, images): the model's input, then the same images as the loss's target
(an autoencoder reconstructs what it is given)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .batches import EpochBatches
from .config import Config
from .distributed import Distributed
from .pictures import load_pictures, split, to_unit
from .task_config import DataConfig
from .tensor_batches import TensorBatches


def load_split(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """uint8 [N, size, size, channels] training and held-out images: one split per seed."""
    images = load_pictures(cfg.source, cfg.num_samples, cfg.image_size, cfg.channels, seed)
    return split(images, cfg.val_fraction, seed)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 channels-last pixels as the float32 [N, C, H, W] the convolutions take."""
    return torch.from_numpy(to_unit(images)).permute(0, 3, 1, 2).contiguous()


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    train_images: np.ndarray  # uint8, for the mean-image baseline
    val_images: np.ndarray
    batches: EpochBatches
    beta: float  # the KL term's weight in the loss

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    train, val = load_split(cfg, seed)
    batches = EpochBatches(len(train), cfg.batch_size, seed, ctx)
    # Copied to the device once, not once per batch: the whole set is a few MB at the defaults.
    images = to_tensor(train).to(device)
    # Each rank scores a disjoint slice of the held-out images (no padding); the sums add up.
    mine = to_tensor(val[ctx.rank :: ctx.world_size]).to(device)
    return Loaders(
        train=TensorBatches((images, images), cfg.batch_size, batches),
        val=TensorBatches((mine, mine), cfg.batch_size),
        train_images=train,
        val_images=val,
        batches=batches,
        beta=config.model.beta,
    )
