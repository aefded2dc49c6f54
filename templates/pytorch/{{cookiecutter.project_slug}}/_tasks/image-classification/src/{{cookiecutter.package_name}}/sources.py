"""Where the images come from: a learnable synthetic set made in memory, a folder of class
sub-folders, an .npz or a .csv. Each gives a Dataset and the names of its classes in label order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import Dataset

from .config_io import ConfigError
from .task_config import SYNTHETIC_CLASSES, DataConfig

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@dataclass
class Source:
    dataset: Dataset
    classes: list[str]  # classes[label] is the name of label; the model has one output per class


class ArrayDataset(Dataset):
    """Images already in memory as a float tensor (N, C, H, W) in [0, 1], labels as int64."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]


class ImageFolder(Dataset):
    """`root/<class>/<image>`; classes are the sorted names of the sub-folders that hold images.
    Decodes lazily, so `data.num_workers > 0` spreads the decoding over worker processes."""

    def __init__(self, root: Path, image_size: int, channels: int) -> None:
        if channels not in (1, 3):
            raise ConfigError(f"data.channels must be 1 or 3 for image folders, not {channels}")
        found = {
            d.name: sorted(p for p in d.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            for d in root.iterdir()
            if d.is_dir() and not d.name.startswith(".")
        }
        self.classes = sorted(name for name, images in found.items() if images)
        self.samples = [(p, label) for label, name in enumerate(self.classes) for p in found[name]]
        self.image_size, self.mode = image_size, "L" if channels == 1 else "RGB"

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        path, label = self.samples[index]
        return load_image(path, self.image_size, self.mode), torch.tensor(label)


def load_image(path: Path, image_size: int, mode: str) -> torch.Tensor:
    """Pixels (C, H, W) in [0, 1], resized to image_size; mode "L" (grey) or "RGB"."""
    with Image.open(path) as image:
        size = (image_size, image_size)
        image = image.convert(mode).resize(size, Image.Resampling.BILINEAR)
        pixels = np.asarray(image, dtype=np.float32) / 255.0
    tensor = torch.from_numpy(pixels)
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor.permute(2, 0, 1)


def synthetic_arrays(cfg: DataConfig, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each class is a smooth random pattern; samples are shifted, rescaled, noisy copies of it."""
    rng = np.random.default_rng(seed)
    num_classes = cfg.num_classes or SYNTHETIC_CLASSES
    dims = cfg.channels * 16
    basis = rng.normal(size=(dims, num_classes))
    if num_classes <= dims:  # orthogonal patterns: every pair of classes is equally distinct
        basis = np.linalg.qr(basis)[0] * np.sqrt(dims)
    coarse = torch.from_numpy(basis.T.reshape(num_classes, cfg.channels, 4, 4).copy())
    size = (cfg.image_size, cfg.image_size)
    prototypes = F.interpolate(coarse, size=size, mode="bicubic", align_corners=False).numpy()
    labels = rng.integers(0, num_classes, size=cfg.num_samples)
    images = prototypes[labels] * rng.uniform(0.6, 1.4, size=(cfg.num_samples, 1, 1, 1))
    shift = max(1, cfg.image_size // 14)
    for i, (dy, dx) in enumerate(rng.integers(-shift, shift + 1, size=(cfg.num_samples, 2))):
        images[i] = np.roll(images[i], (int(dy), int(dx)), axis=(1, 2))
    images += rng.normal(scale=0.5, size=images.shape)
    images = 1.0 / (1.0 + np.exp(-images))  # squash into (0, 1) like real pixel intensities
    return torch.from_numpy(images.astype(np.float32)), torch.from_numpy(labels)


def _to_tensor(x: np.ndarray, cfg: DataConfig, where: Path) -> torch.Tensor:
    """(N, H, W) or (N, H, W, C) pixels -> float (N, C, H, W) in [0, 1] at data.image_size."""
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] != cfg.channels:
        raise ConfigError(
            f"{where}: images of shape {x.shape[1:]} do not have data.channels = {cfg.channels}"
        )
    scale = 255.0 if np.issubdtype(x.dtype, np.integer) else 1.0
    images = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32) / scale).permute(0, 3, 1, 2)
    if images.shape[-2:] != (cfg.image_size, cfg.image_size):
        size = (cfg.image_size, cfg.image_size)
        images = F.interpolate(images, size=size, mode="bilinear", antialias=True)
    return images.contiguous()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """One image per row: the label (a number or a class name), then image_size * image_size *
    channels pixels (0-255, row-major, channels last). A header (`label,pixel0,...`) is optional.
    """
    with path.open(encoding="utf-8") as f:
        first = f.readline().split(",")
    header = len(first) > 1 and not _is_number(first[1])
    pixels = cfg.image_size * cfg.image_size * cfg.channels
    if len(first) != pixels + 1:
        raise ConfigError(
            f"{path}: rows have {len(first) - 1} pixels, expected {pixels} "
            f"(data.image_size={cfg.image_size}, data.channels={cfg.channels})"
        )
    try:
        table = np.loadtxt(
            path, delimiter=",", skiprows=int(header), usecols=range(1, pixels + 1), ndmin=2
        )
        labels = np.loadtxt(path, delimiter=",", skiprows=int(header), usecols=0, dtype=str)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    labels = np.char.strip(np.atleast_1d(labels))
    if all(_is_number(v) for v in labels):
        labels = labels.astype(np.float64)
    return table.reshape(-1, cfg.image_size, cfg.image_size, cfg.channels) / 255.0, labels


def encode_labels(
    raw: np.ndarray, names: list[str] | None, cfg: DataConfig, where: Path
) -> tuple[torch.Tensor, list[str]]:
    """Integer labels and the class names: text labels name their classes (sorted), integer labels
    are 0 .. num_classes - 1 (data.num_classes, else the largest label + 1)."""
    raw = np.asarray(raw).reshape(-1)
    if raw.dtype.kind in "USO":
        names = sorted({str(v) for v in raw})
        raw = np.searchsorted(np.array(names), raw.astype(str))
    if raw.dtype.kind == "f" and not np.all(np.mod(raw, 1) == 0):
        raise ConfigError(f"{where}: labels must be integers or class names")
    labels = raw.astype(np.int64)
    if names is None:
        count = cfg.num_classes or int(labels.max(initial=0)) + 1
        names = [str(i) for i in range(count)]
    outside = labels[(labels < 0) | (labels >= len(names))]
    if outside.size:
        raise ConfigError(
            f"{where}: label {int(outside[0])} is outside data.num_classes = {len(names)} "
            f"(labels must be 0 to {len(names) - 1})"
        )
    return torch.from_numpy(labels), names


def load_source(cfg: DataConfig, seed: int) -> Source:
    if cfg.source == "synthetic":
        images, labels = synthetic_arrays(cfg, seed)
        classes = [str(i) for i in range(cfg.num_classes or SYNTHETIC_CLASSES)]
        return Source(ArrayDataset(images, labels), classes)
    path = Path(cfg.source).expanduser()
    if path.is_dir():
        folder = ImageFolder(path, cfg.image_size, cfg.channels)
        if not folder.samples:
            raise ConfigError(f"data.source {path} has no images in <class>/ sub-folders")
        source = Source(folder, folder.classes)
    elif path.suffix in (".npz", ".csv") and path.is_file():
        source = _load_arrays(path, cfg)
    elif not path.exists():
        raise ConfigError(f"data.source {str(path)!r} does not exist (or use 'synthetic')")
    else:
        raise ConfigError(f"data.source {cfg.source!r} is not 'synthetic', a folder, .npz or .csv")
    return _check_classes(source, cfg, path)


def _load_arrays(path: Path, cfg: DataConfig) -> Source:
    names = None
    if path.suffix == ".npz":
        with np.load(path) as arrays:
            if not {"x", "y"} <= set(arrays.files):
                raise ConfigError(f"{path} must hold arrays 'x' and 'y', not {arrays.files}")
            x, y = arrays["x"], arrays["y"]
            if "classes" in arrays.files:  # optional: names of the integer labels
                names = [str(v) for v in arrays["classes"]]
    else:
        x, y = _read_csv(path, cfg)
    if len(x) != len(y.reshape(-1)):
        raise ConfigError(f"{path}: {len(x)} images but {len(y.reshape(-1))} labels")
    labels, classes = encode_labels(y, names, cfg, path)
    return Source(ArrayDataset(_to_tensor(x, cfg, path), labels), classes)


def _check_classes(source: Source, cfg: DataConfig, path: Path) -> Source:
    count = len(source.classes)
    if count < 2:
        raise ConfigError(f"{path} has {count} class; a classifier needs at least 2")
    if cfg.num_classes is not None and cfg.num_classes != count:
        shown = ", ".join(source.classes[:5]) + (", ..." if count > 5 else "")
        raise ConfigError(
            f"data.num_classes = {cfg.num_classes} but {path} has {count} classes ({shown}); "
            "leave data.num_classes unset to take them from the data"
        )
    if len(source.dataset) < 2:  # type: ignore[arg-type]
        raise ConfigError(f"{path} has fewer than 2 samples")
    return source
