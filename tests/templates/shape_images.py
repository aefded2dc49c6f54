"""An image folder for the generative e2e tests, drawn with Pillow the way a user's pictures would
arrive: PNG and JPEG files of several sizes, some not square, some in sub-folders, greyscale and
RGB mixed. Each picture is one bright ellipse or rectangle (with an outline) on a plain ground, so
a small VAE can learn the folder in a few epochs. Framework-free: every template trains on it."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw


def draw(rng: random.Random) -> Image.Image:
    width, height = rng.choice([(48, 48), (64, 48), (40, 56)])
    ground = tuple(rng.randrange(0, 40) for _ in range(3))
    image = Image.new("RGB", (width, height), ground)
    pen = ImageDraw.Draw(image)
    side = min(width, height)
    size = rng.uniform(0.35, 0.6) * side
    left = (width - size) / 2 + rng.uniform(-0.15, 0.15) * side
    top = (height - size) / 2 + rng.uniform(-0.15, 0.15) * side
    box = (left, top, left + size, top + size)
    fill = tuple(rng.randrange(120, 256) for _ in range(3))
    outline = tuple(max(0, c - 90) for c in fill)
    if rng.random() < 0.5:
        pen.ellipse(box, fill=fill, outline=outline, width=2)
    else:
        pen.rectangle(box, fill=fill, outline=outline, width=2)
    return image


def write_pictures(folder: Path, count: int = 320, seed: int = 0) -> list[Path]:
    """`count` pictures: every fourth a JPEG, every fifth greyscale, a third in sub-folders."""
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        image = draw(rng)
        if n % 5 == 0:
            image = image.convert("L")
        sub = folder / ("holiday" if n % 3 == 0 else "") / ("" if n % 3 else f"day-{n % 2}")
        sub.mkdir(parents=True, exist_ok=True)
        suffix = ".jpg" if n % 4 == 0 else ".png"
        path = sub / f"picture-{n:04d}{suffix}"
        image.save(path, quality=92) if suffix == ".jpg" else image.save(path)
        paths.append(path)
    return paths
