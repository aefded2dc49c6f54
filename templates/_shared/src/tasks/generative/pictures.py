"""Images in and out for the generative task, framework-free: synthetic shapes or a folder of image
files in, a held-out split, the mean-image baseline, and PNG files and sample grids out.

Pixels travel as uint8 arrays `[N, size, size, channels]` until a framework scales them to
[0, 1]; the same source and seed give the same split in train, evaluate and export and on every
rank. Every refusal is one `ConfigError` line that names the path.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ConfigError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
SHAPES = ("disc", "square", "triangle", "ring")


def synthetic_shapes(num: int, size: int, channels: int, seed: int) -> np.ndarray:
    """One filled shape per image (disc, square, triangle or ring) of a random hue, place and size
    on a dark background: a few factors of variation a small latent space can capture. Hues at
    full saturation, because pale colours near the mean grey are the first detail a VAE drops."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    images = np.empty((num, size, size, channels), np.uint8)
    for n in range(num):
        kind = SHAPES[rng.integers(len(SHAPES))]
        radius = rng.uniform(0.18, 0.34) * size
        cy, cx = rng.uniform(radius, size - radius, 2)
        dy, dx = (yy - cy) / radius, (xx - cx) / radius
        if kind == "disc":
            mask = dx**2 + dy**2 <= 1
        elif kind == "square":
            mask = (np.abs(dx) <= 0.8) & (np.abs(dy) <= 0.8)
        elif kind == "triangle":
            mask = (dy <= 0.8) & (dy >= 1.6 * np.abs(dx) - 0.9)
        else:
            mask = (dx**2 + dy**2 <= 1) & (dx**2 + dy**2 >= 0.4)
        colour = _saturated(rng.uniform()) if channels > 1 else rng.uniform(0.5, 1.0, 1)
        background = rng.uniform(0.0, 0.12)
        picture = np.where(mask[..., None], colour, background)
        images[n] = np.round(picture * 255).astype(np.uint8)
    return images


def _saturated(hue: float) -> np.ndarray:
    """The RGB colour of `hue` in [0, 1) at full saturation and value (HSV to RGB)."""
    k = (np.array([5.0, 3.0, 1.0]) + hue * 6) % 6
    return 1 - np.clip(np.minimum(k, 4 - k), 0, 1)


def read_image_folder(root: Path, size: int, channels: int) -> np.ndarray:
    """Every image file under `root` (sub-folders too, in sorted order), centre-cropped to a square
    and resized to `size`, as grey (1 channel) or RGB (3)."""
    if not root.exists():
        raise ConfigError(f"data.source {root} does not exist")
    if not root.is_dir():
        raise ConfigError(f"data.source {root} is not a folder of image files")
    if channels not in (1, 3):
        raise ConfigError(
            f"data.channels must be 1 (grey) or 3 (RGB) for image files, not {channels}"
        )
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if len(paths) < 2:
        raise ConfigError(
            f"data.source {root} holds {len(paths)} image files; at least 2 are needed "
            f"({', '.join(sorted(IMAGE_SUFFIXES))})"
        )
    return np.stack([_load(p, size, "L" if channels == 1 else "RGB") for p in paths])


def _load(path: Path, size: int, mode: str) -> np.ndarray:
    try:
        with Image.open(path) as image:
            image = image.convert(mode)
            side = min(image.size)
            left, top = (image.width - side) // 2, (image.height - side) // 2
            image = image.crop((left, top, left + side, top + side))
            pixels = np.asarray(image.resize((size, size), Image.Resampling.BILINEAR))
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise ConfigError(f"{path} is not a readable image: {err}") from None
    return pixels.reshape(size, size, -1)


def load_pictures(source: str, num: int, size: int, channels: int, seed: int) -> np.ndarray:
    if source == "synthetic":
        return synthetic_shapes(num, size, channels, seed)
    return read_image_folder(Path(source), size, channels)


def split(images: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded shuffle, then the last `val_fraction` (at least one image) held out."""
    order = np.random.default_rng(seed).permutation(len(images))
    held = min(len(images) - 1, max(1, round(len(images) * val_fraction)))
    return images[order[:-held]], images[order[-held:]]


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], the decoder's Bernoulli means."""
    return images.astype(np.float32) / 255.0


def mean_image_loss(train: np.ndarray, val: np.ndarray) -> float:
    """The reconstruction loss (binary cross-entropy summed over pixels, per image) of a model that
    ignores its input and always draws the training set's mean image: what a VAE's reconstruction
    term must beat to have learnt anything about the individual image."""
    mean = np.clip(to_unit(train).mean(axis=0), 1e-4, 1 - 1e-4)
    x = to_unit(val)
    bce = -(x * np.log(mean) + (1 - x) * np.log(1 - mean))
    return float(bce.reshape(len(val), -1).sum(axis=1).mean())


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (any float array, channels last) as uint8 pixels."""
    return np.round(np.clip(np.asarray(images, np.float32), 0, 1) * 255).astype(np.uint8)


def tile(images: np.ndarray, columns: int = 8, gap: int = 2) -> np.ndarray:
    """[N, H, W, C] uint8 images as one grid image, `columns` wide, with a grey gap between them."""
    count, height, width, chans = images.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    grid = np.full(
        (rows * height + (rows + 1) * gap, columns * width + (columns + 1) * gap, chans),
        128,
        np.uint8,
    )
    for n, image in enumerate(images):
        r, c = divmod(n, columns)
        top, left = gap + r * (height + gap), gap + c * (width + gap)
        grid[top : top + height, left : left + width] = image
    return grid


def _image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)


def write_png(pixels: np.ndarray, path: Path) -> Path:
    """Write atomically: a reader (or a stop mid-write) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as handle:
            _image(pixels).save(handle, format="PNG")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_grid(images: np.ndarray, path: Path, columns: int = 8) -> Path:
    """Images in [0, 1] as one PNG grid: the run's samples after each epoch."""
    return write_png(tile(to_uint8(images), columns), path)


def check_output_folder(folder: Path) -> None:
    """`predict` writes into a new or empty folder only, so it never replaces a user's files."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ConfigError(f"--out {folder} is not empty: name a new or empty folder")


def write_images(images: np.ndarray, folder: Path) -> list[Path]:
    """Images in [0, 1] as `sample-0000.png`, ... in `folder`. They are written in a hidden
    folder beside it and moved in together: an error or a stop leaves no partial set."""
    check_output_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        names = []
        for n, pixels in enumerate(to_uint8(images)):
            _image(pixels).save(staging / f"sample-{n:04d}.png", format="PNG")
            names.append(f"sample-{n:04d}.png")
        folder.mkdir(exist_ok=True)
        for name in names:
            os.replace(staging / name, folder / name)
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    return [folder / name for name in names]
