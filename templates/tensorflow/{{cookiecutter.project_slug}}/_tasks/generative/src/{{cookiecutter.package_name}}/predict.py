"""`predict`: new images, decoded from codes drawn from the prior N(0, I) with a seed, by a run's
checkpoint or its exported SavedModel, written as PNG files into a new or empty folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .export import exported as exported_folder
from .pictures import check_output_folder, write_images
from .serving import SHAPE
from .signatures import SIGNATURE
from .task import decode, prior_codes


def predict(
    config: Config,
    run: Path,
    out: Path,
    num_images: int,
    seed: int = 0,
    checkpoint: Path | None = None,
    exported: bool = False,
) -> dict:
    check_output_folder(out)  # before any model loads: a bad folder fails at once
    size = config.data.batch_size
    if exported:
        folder = exported_folder(run)
        source = folder / "saved_model"
        latent_dim = json.loads((folder / SHAPE).read_text("utf-8"))["latent_dim"]
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]
        codes = prior_codes(num_images, latent_dim, seed)
        parts = [serve(codes=tf.constant(codes[i : i + size]))["images"].numpy()
                 for i in range(0, num_images, size)]  # fmt: skip
        images = np.concatenate(parts)
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, _ = load_trained_model(config, str(source))
        decoder = model.get_layer("decoder")
        images = decode(decoder, prior_codes(num_images, int(decoder.input_shape[-1]), seed), size)
    paths = write_images(images, out)
    return {
        "run_dir": str(run),
        "source": str(source),
        "images": [str(p) for p in paths],
        "num_images": num_images,
        "out": str(out),
    }
