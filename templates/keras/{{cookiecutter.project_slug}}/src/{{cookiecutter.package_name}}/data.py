"""Data: a learnable synthetic set, your own images or .npz, served by a `keras.utils.PyDataset`.

Everything is held as NumPy arrays, which every Keras backend consumes, so the same loader runs on
TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from .config import DataConfig
from .config_io import ConfigError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


@dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: list[str]


class ArrayDataset(keras.utils.PyDataset):
    """Batches of (images, labels) from in-memory arrays, reshuffled after every epoch."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        drop_remainder: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_remainder = drop_remainder
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self) -> int:
        count = len(self.x) / self.batch_size
        return max(1, math.floor(count)) if self.drop_remainder else math.ceil(count)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._order = self._rng.permutation(len(self.x))


def synthetic(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each class is a fixed smooth random pattern, plus noise: learnable within one epoch."""
    rng = np.random.default_rng(seed)
    size, channels = cfg.image_size, cfg.channels
    coarse = rng.normal(size=(cfg.num_classes, 7, 7, channels))
    # Upsampling a coarse grid gives blob-like patterns a small CNN separates quickly.
    patterns = np.kron(coarse, np.ones((1, math.ceil(size / 7), math.ceil(size / 7), 1)))
    patterns = patterns[:, :size, :size, :]
    y = rng.integers(0, cfg.num_classes, size=cfg.num_samples)
    noise = rng.normal(scale=0.6, size=(cfg.num_samples, size, size, channels))
    x = 1.0 / (1.0 + np.exp(-(patterns[y] + noise)))  # squash into [0, 1] like real pixels
    return x.astype("float32"), y.astype("int32")


def load_folder(root: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One sub-folder of images per class; decoded and resized with Pillow via Keras."""
    class_names = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not class_names:
        raise ConfigError(f"{root} has no class sub-folders")
    color_mode = {1: "grayscale", 3: "rgb", 4: "rgba"}[cfg.channels]
    images, labels = [], []
    for label, name in enumerate(class_names):
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                image = keras.utils.load_img(
                    path, color_mode=color_mode, target_size=(cfg.image_size, cfg.image_size)
                )
                images.append(keras.utils.img_to_array(image, dtype="float32") / 255.0)
                labels.append(label)
    if not images:
        raise ConfigError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under {root}")
    return np.stack(images), np.asarray(labels, dtype="int32"), class_names


def load_npz(path: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """Arrays `x` (N, H, W[, C]) and `y` (N,); uint8 pixels are scaled to [0, 1]."""
    with np.load(path) as arrays:
        if "x" not in arrays or "y" not in arrays:
            raise ConfigError(f"{path} must hold arrays 'x' and 'y'")
        x, y = arrays["x"], arrays["y"]
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or len(x) != len(y):
        raise ConfigError(f"{path}: x must be (N, H, W[, C]) and y (N,), got {x.shape}, {y.shape}")
    if x.shape[-1] != cfg.channels:
        raise ConfigError(
            f"{path}: images have {x.shape[-1]} channels, data.channels is {cfg.channels}"
        )
    x = x.astype("float32") / (255.0 if np.issubdtype(x.dtype, np.integer) else 1.0)
    if x.shape[1:3] != (cfg.image_size, cfg.image_size):
        size = (cfg.image_size, cfg.image_size)
        x = keras.ops.convert_to_numpy(keras.ops.image.resize(x, size))
    return x, y.astype("int32")


def load_split(cfg: DataConfig, seed: int) -> Split:
    """The configured data, split into train and validation with a seeded shuffle."""
    class_names = [str(i) for i in range(cfg.num_classes)]
    if cfg.source == "synthetic":
        x, y = synthetic(cfg, seed)
    else:
        path = Path(cfg.source)
        if path.is_dir():
            x, y, class_names = load_folder(path, cfg)
        elif path.suffix == ".npz" and path.is_file():
            x, y = load_npz(path, cfg)
        else:
            raise ConfigError(
                f"data.source {cfg.source!r} is not 'synthetic', a folder or a .npz file"
            )
    if y.min() < 0 or y.max() >= cfg.num_classes:
        raise ConfigError(
            f"labels span 0..{y.max()} but data.num_classes is {cfg.num_classes}; set it to match"
        )
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, round(len(x) * cfg.val_fraction))
    val, train = order[:n_val], order[n_val:]
    return Split(x[train], y[train], x[val], y[val], class_names)


def datasets(split: Split, cfg: DataConfig, seed: int) -> tuple[ArrayDataset, ArrayDataset]:
    # Dropping the last partial training batch keeps every step the same shape: no recompilation
    # under XLA, and batches always divide evenly across data-parallel devices.
    train = ArrayDataset(
        split.x_train, split.y_train, cfg.batch_size, shuffle=True, seed=seed, drop_remainder=True
    )
    val = ArrayDataset(split.x_val, split.y_val, cfg.batch_size)
    return train, val
