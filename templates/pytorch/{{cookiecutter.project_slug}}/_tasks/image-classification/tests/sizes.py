"""The image task's settings for fast tests: small images and a narrow network, as overrides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config

# A run of a few seconds on the CPU (`--set` values).
SMALL = ["data.num_samples=192", "data.batch_size=32", "model.widths=[8, 16]"]
# Three epochs of four steps with dropout, what the resume tests stop and continue: 77 training
# samples in batches of 16, the ragged 13 dropped.
TINY = [
    *("data.num_samples=96", "data.image_size=8", "data.batch_size=16"),
    *("model.widths=[4, 8]", "model.dropout=0.3"),
]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("trainer.best_metric=val_accuracy", "trainer.best_mode"),
    ("data.num_workers=-1", "data.num_workers"),
    ("data.image_size=2", "data.image_size"),
    ("data.num_classes=1", "data.num_classes"),
    ("model.widths=[]", "model.widths"),
    ("model.widths=[8, 0]", "model.widths"),
]


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """Three image files of the run's size, what `predict` takes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    size = config.data.image_size
    paths = []
    for i in range(3):
        path = folder / f"{i}.png"
        Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8)).save(path)
        paths.append(str(path))
    return paths
