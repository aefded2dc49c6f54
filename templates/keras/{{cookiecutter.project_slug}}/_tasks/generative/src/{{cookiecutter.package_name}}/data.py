"""The images as arrays: read or drawn and split by `pictures.py`, scaled to float32 [0, 1]. A
sample is (image, image): the model's input, then the same image as the loss's target (an
autoencoder reconstructs what it is given). Channels last, as Keras's layers take them on every
backend; the arrays are held once, both roles share them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .pictures import load_pictures, mean_image_loss, split, to_unit
from .task_config import DataConfig


@dataclass
class Split:
    x_train: np.ndarray  # float32 [N, size, size, channels] in [0, 1]
    y_train: np.ndarray  # the same array: the reconstruction target
    x_val: np.ndarray
    y_val: np.ndarray
    meta: Any  # the run's `task.Meta`
    mean_image: float  # the reconstruction loss of always drawing the training set's mean image


def load_split(cfg: DataConfig, seed: int, meta: Any) -> Split:
    """The configured images, split with a seeded shuffle: one split per seed."""
    images = load_pictures(cfg.source, cfg.num_samples, cfg.image_size, cfg.channels, seed)
    train, val = split(images, cfg.val_fraction, seed)
    x_train, x_val = to_unit(train), to_unit(val)
    return Split(x_train, x_train, x_val, x_val, meta, mean_image_loss(train, val))
