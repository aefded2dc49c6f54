"""`predict`: new images, decoded from codes drawn from the prior N(0, I) with a seed, by a run's
checkpoint or its exported decoder, written as PNG files into a new or empty folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .config import Config
from .inference import load_predictor
from .model import VAE
from .pictures import check_output_folder, write_images
from .task import images_last


@torch.no_grad()
def predict(
    config: Config,
    run: Path,
    out: Path,
    num_images: int,
    seed: int = 0,
    checkpoint: Path | None = None,
    exported: bool = False,
) -> dict[str, Any]:
    check_output_folder(out)  # before any model loads: a bad folder fails at once
    model, task, _ = load_predictor(run, checkpoint, exported)
    if isinstance(model, VAE):  # a checkpoint holds the encoder too; generating needs only this
        model = model.sampler()
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randn(num_images, task.latent_dim, generator=generator)
    size = config.data.batch_size
    images = torch.cat([model(codes[i : i + size]) for i in range(0, num_images, size)])
    paths = write_images(images_last(images), out)
    return {"images": [str(p) for p in paths], "num_images": num_images, "out": str(out)}
