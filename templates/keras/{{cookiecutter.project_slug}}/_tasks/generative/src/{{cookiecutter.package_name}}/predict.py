"""`predict`: new images, decoded from codes drawn from the prior N(0, I) with a seed, by a run's
checkpoint or its export, written as PNG files into a new or empty folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .export import load_predictor
from .pictures import check_output_folder, write_images
from .task import prior_codes, read_meta


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
    codes = prior_codes(num_images, read_meta(run).latent_dim, seed)
    sampler, source = load_predictor(run, checkpoint, exported)
    size = config.data.batch_size
    images = np.concatenate([sampler([codes[i : i + size]]) for i in range(0, num_images, size)])
    paths = write_images(images, out)
    return {
        "run_dir": str(run),
        "source": str(source),
        "images": [str(p) for p in paths],
        "num_images": num_images,
        "out": str(out),
    }
