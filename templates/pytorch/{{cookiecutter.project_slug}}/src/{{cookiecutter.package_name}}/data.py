"""Data: a learnable synthetic set made in memory, or your own images, as DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Subset

from .config import DataConfig
from .config_io import ConfigError
from .utils import Distributed

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


class ArrayDataset(Dataset):
    """Images already in memory as a float tensor (N, C, H, W) in [0, 1], labels as int64."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        if len(images) != len(labels):
            raise ConfigError(f"{len(images)} images but {len(labels)} labels")
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]


class ImageFolder(Dataset):
    """`root/<class>/<image>`; classes are the sorted sub-folder names. Decodes lazily, so
    `data.num_workers > 0` spreads the decoding over worker processes."""

    def __init__(self, root: Path, image_size: int, channels: int) -> None:
        if channels not in (1, 3):
            raise ConfigError(f"image folders need data.channels = 1 or 3, not {channels}")
        self.classes = sorted(d.name for d in root.iterdir() if d.is_dir())
        self.samples = [
            (path, label)
            for label, name in enumerate(self.classes)
            for path in sorted((root / name).iterdir())
            if path.suffix.lower() in IMAGE_SUFFIXES
        ]
        if not self.samples:
            raise ConfigError(f"no images found under {root}/<class>/")
        self.image_size, self.mode = image_size, "L" if channels == 1 else "RGB"

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        path, label = self.samples[index]
        with Image.open(path) as image:
            size = (self.image_size, self.image_size)
            image = image.convert(self.mode).resize(size, Image.Resampling.BILINEAR)
            pixels = np.asarray(image, dtype=np.float32) / 255.0
        tensor = torch.from_numpy(pixels)
        tensor = tensor.unsqueeze(0) if tensor.ndim == 2 else tensor.permute(2, 0, 1)
        return tensor, torch.tensor(label)


def synthetic_arrays(cfg: DataConfig, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each class is a smooth random pattern; samples are shifted, rescaled, noisy copies of it."""
    rng = np.random.default_rng(seed)
    dims = cfg.channels * 16
    basis = rng.normal(size=(dims, cfg.num_classes))
    if cfg.num_classes <= dims:  # orthogonal patterns: every pair of classes is equally distinct
        basis = np.linalg.qr(basis)[0] * np.sqrt(dims)
    coarse = torch.from_numpy(basis.T.reshape(cfg.num_classes, cfg.channels, 4, 4).copy())
    size = (cfg.image_size, cfg.image_size)
    prototypes = F.interpolate(coarse, size=size, mode="bicubic", align_corners=False).numpy()
    labels = rng.integers(0, cfg.num_classes, size=cfg.num_samples)
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


def _read_csv(path: Path, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """One image per row: the label, then image_size * image_size * channels pixels (0-255,
    row-major, channels last). A header row (`label,pixel0,...`) is optional."""
    with path.open(encoding="utf-8") as f:
        first = f.readline().split(",")[0].strip()
    header = not first.lstrip("-").replace(".", "", 1).isdigit()
    table = np.loadtxt(path, delimiter=",", skiprows=int(header), dtype=np.float32, ndmin=2)
    pixels = cfg.image_size * cfg.image_size * cfg.channels
    if table.shape[1] != pixels + 1:
        raise ConfigError(
            f"{path}: rows have {table.shape[1] - 1} pixels, expected {pixels} "
            f"(data.image_size={cfg.image_size}, data.channels={cfg.channels})"
        )
    x = table[:, 1:].reshape(-1, cfg.image_size, cfg.image_size, cfg.channels) / 255.0
    return x, table[:, 0].astype(np.int64)


def load_dataset(cfg: DataConfig, seed: int) -> Dataset:
    if cfg.source == "synthetic":
        return ArrayDataset(*synthetic_arrays(cfg, seed))
    path = Path(cfg.source).expanduser()
    if path.is_dir():
        dataset = ImageFolder(path, cfg.image_size, cfg.channels)
        num_labels = len(dataset.classes)
    elif path.suffix in (".npz", ".csv") and path.is_file():
        if path.suffix == ".npz":
            with np.load(path) as arrays:
                x, y = arrays["x"], arrays["y"]
        else:
            x, y = _read_csv(path, cfg)
        labels = torch.from_numpy(np.asarray(y, dtype=np.int64).reshape(-1))
        dataset = ArrayDataset(_to_tensor(x, cfg, path), labels)
        num_labels = int(labels.max()) + 1 if len(labels) else 0
    else:
        raise ConfigError(f"data.source {cfg.source!r} is not 'synthetic', a folder, .npz or .csv")
    if num_labels > cfg.num_classes:
        raise ConfigError(f"{path} has {num_labels} classes; set data.num_classes={num_labels}")
    return dataset


def split(dataset: Dataset, val_fraction: float, seed: int) -> tuple[Subset, Subset]:
    """The same seed gives the same held-out samples in train, evaluate and every rank."""
    n = len(dataset)  # type: ignore[arg-type]
    n_val = max(1, round(n * val_fraction))
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])


@dataclass
class Loaders:
    train: DataLoader
    val: DataLoader
    seed: int

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle from (seed, epoch), so a resumed run sees the same order as an unbroken one."""
        if isinstance(self.train.sampler, DistributedSampler):
            self.train.sampler.set_epoch(epoch)
        elif self.train.generator is not None:
            self.train.generator.manual_seed(self.seed + epoch)


def build_loaders(
    cfg: DataConfig, seed: int, device: torch.device, ctx: Distributed | None = None
) -> Loaders:
    ctx = ctx or Distributed()
    train_set, val_set = split(load_dataset(cfg, seed), cfg.val_fraction, seed)
    common = {
        "batch_size": cfg.batch_size,
        "num_workers": cfg.num_workers,
        "pin_memory": device.type == "cuda",  # page-locked memory makes non_blocking copies async
        "persistent_workers": cfg.num_workers > 0,
    }
    if ctx.enabled:
        sampler = DistributedSampler(train_set, ctx.world_size, ctx.rank, shuffle=True, seed=seed)
        train = DataLoader(train_set, sampler=sampler, **common)
        # Each rank scores a disjoint slice (no padding), so summed metrics are exact.
        val_set = Subset(val_set, list(range(ctx.rank, len(val_set), ctx.world_size)))
    else:
        generator = torch.Generator().manual_seed(seed)
        train = DataLoader(train_set, shuffle=True, generator=generator, **common)
    return Loaders(train=train, val=DataLoader(val_set, shuffle=False, **common), seed=seed)
