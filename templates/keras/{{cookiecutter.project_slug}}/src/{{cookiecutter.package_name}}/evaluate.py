"""Loss and accuracy of a saved `.keras` model on the held-out split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from .config import Config
from .data import ArrayDataset, load_split
from .train import BEST
from .utils import backend


def load_checkpoint(config: Config, checkpoint: Path | None = None) -> tuple[keras.Model, Path]:
    path = Path(checkpoint) if checkpoint else Path(config.trainer.output_dir) / BEST
    if not path.is_file():
        raise SystemExit(f"no checkpoint at {path}: train first, or pass --checkpoint")
    # safe_mode stays on: the model is built from standard layers, so no code is deserialized.
    return keras.saving.load_model(path), path


def evaluate(config: Config, checkpoint: Path | None = None) -> dict[str, Any]:
    model, path = load_checkpoint(config, checkpoint)
    split = load_split(config.data, config.trainer.seed)
    val = ArrayDataset(split.x_val, split.y_val, config.data.batch_size)
    metrics = model.evaluate(val, verbose=0, return_dict=True)
    return {
        "backend": backend(),
        "checkpoint": str(path),
        "loss": float(metrics["loss"]),
        "accuracy": float(metrics["accuracy"]),
        "num_samples": len(split.y_val),
    }
