"""Data: a learnable synthetic set, your own images or .npz, split into train and validation.

Everything is held as NumPy arrays, which every Keras backend consumes, so the same loader runs on
TensorFlow, JAX and PyTorch. The class names come from the data when it carries them (folder
names) and are saved with the run, so a checkpoint and an export keep their label map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from .errors import ConfigError
from .task_config import DataConfig

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
SYNTHETIC_CLASSES = 10


@dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    meta: list[str]  # the class names: label i is meta[i]


def synthetic(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each class is a fixed smooth random pattern, plus noise: learnable within one epoch."""
    rng = np.random.default_rng(seed)
    size, channels = cfg.image_size, cfg.channels
    classes = cfg.num_classes or SYNTHETIC_CLASSES
    coarse = rng.normal(size=(classes, 7, 7, channels))
    # Upsampling a coarse grid gives blob-like patterns a small CNN separates quickly.
    patterns = np.kron(coarse, np.ones((1, math.ceil(size / 7), math.ceil(size / 7), 1)))
    patterns = patterns[:, :size, :size, :]
    y = rng.integers(0, classes, size=cfg.num_samples)
    noise = rng.normal(scale=0.6, size=(cfg.num_samples, size, size, channels))
    x = 1.0 / (1.0 + np.exp(-(patterns[y] + noise)))  # squash into [0, 1] like real pixels
    return x.astype("float32"), y.astype("int32")


def load_image(path: Path, cfg: DataConfig) -> np.ndarray:
    """One image as the model sees it: resized, with data.channels channels, scaled to [0, 1]."""
    color_mode = {1: "grayscale", 3: "rgb", 4: "rgba"}[cfg.channels]
    image = keras.utils.load_img(
        path, color_mode=color_mode, target_size=(cfg.image_size, cfg.image_size)
    )
    return keras.utils.img_to_array(image, dtype="float32") / 255.0


def load_folder(root: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One sub-folder of images per class; decoded and resized with Pillow via Keras."""
    class_names = sorted(p.name for p in root.iterdir() if p.is_dir())
    if len(class_names) < 2:
        raise ConfigError(f"data.source {root} needs one sub-folder per class, at least two")
    if cfg.num_classes is not None and cfg.num_classes != len(class_names):
        raise ConfigError(
            f"data.num_classes is {cfg.num_classes} but {root} has {len(class_names)} class "
            "folders; leave data.num_classes unset to take it from the folders"
        )
    images, labels = [], []
    for label, name in enumerate(class_names):
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(load_image(path, cfg))
                labels.append(label)
    if not images:
        raise ConfigError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under {root}")
    return np.stack(images), np.asarray(labels, dtype="int32"), class_names


def load_npz(path: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """Arrays `x` (N, H, W[, C]) and `y` (N,); uint8 pixels are scaled to [0, 1]."""
    try:
        with np.load(path) as arrays:
            if "x" not in arrays or "y" not in arrays:
                raise ConfigError(f"{path} must hold arrays 'x' and 'y'")
            x, y = arrays["x"], arrays["y"]
    except (OSError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"data.source {path} is not a readable .npz file: {exc}") from exc
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or y.ndim != 1 or len(x) != len(y):
        raise ConfigError(f"{path}: x must be (N, H, W[, C]) and y (N,), got {x.shape}, {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ConfigError(f"{path}: y must hold integer class labels, not {y.dtype}")
    if x.shape[-1] != cfg.channels:
        raise ConfigError(
            f"{path}: images have {x.shape[-1]} channels, data.channels is {cfg.channels}"
        )
    x = x.astype("float32") / (255.0 if np.issubdtype(x.dtype, np.integer) else 1.0)
    if x.shape[1:3] != (cfg.image_size, cfg.image_size):
        size = (cfg.image_size, cfg.image_size)
        x = keras.ops.convert_to_numpy(keras.ops.image.resize(x, size))
    return x, y.astype("int32")


def load_arrays(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    if cfg.source == "synthetic":
        return (*synthetic(cfg, seed), None)
    path = Path(cfg.source)
    if path.is_dir():
        return load_folder(path, cfg)
    if path.suffix == ".npz" and path.is_file():
        return (*load_npz(path, cfg), None)
    what = "does not exist" if not path.exists() else "is neither a folder nor an .npz file"
    raise ConfigError(f"data.source {cfg.source!r} {what}; use 'synthetic', a folder or an .npz")


def check_labels(y: np.ndarray, cfg: DataConfig, source: str) -> int:
    """The number of classes: data.num_classes when set (every label must be below it)."""
    if y.min() < 0:
        raise ConfigError(f"{source} has negative labels; labels must be 0..num_classes-1")
    if cfg.num_classes is None:
        return max(int(y.max()) + 1, 2)
    if y.max() >= cfg.num_classes:
        raise ConfigError(
            f"{source} has labels up to {y.max()} but data.num_classes is {cfg.num_classes}; "
            f"set it to at least {y.max() + 1} (or leave it unset)"
        )
    return cfg.num_classes


def load_split(cfg: DataConfig, seed: int) -> Split:
    """The configured data, split into train and validation with a seeded shuffle."""
    x, y, class_names = load_arrays(cfg, seed)
    if class_names is None:
        count = SYNTHETIC_CLASSES if cfg.source == "synthetic" else check_labels(y, cfg, cfg.source)
        class_names = [str(i) for i in range(cfg.num_classes or count)]
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, round(len(x) * cfg.val_fraction))
    if n_val >= len(x):
        raise ConfigError(
            f"data.val_fraction {cfg.val_fraction} leaves no training samples out of {len(x)}"
        )
    val, train = order[:n_val], order[n_val:]
    return Split(x[train], y[train], x[val], y[val], class_names)
