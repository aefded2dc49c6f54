"""Loss and accuracy of a run's best model on that run's held-out split.

`score` is also what training reports as val_loss and val_accuracy, so evaluating the best
checkpoint reproduces the number recorded for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from .batches import ScoreBatches
from .checkpoint import load_checkpoint, read_classes, read_state
from .config import Config
from .data import load_split
from .errors import ConfigError, ProjectError
from .precision import backend


def score(
    model: keras.Model, x: np.ndarray, y: np.ndarray, batch_size: int, devices: int = 1
) -> dict[str, float]:
    """Mean cross-entropy and accuracy over every sample, each counted once."""
    batches = ScoreBatches(x, batch_size, multiple=devices)
    logits = np.asarray(model.predict(batches, verbose=0), dtype="float64")[: len(x)]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return {
        "loss": float(-log_probs[np.arange(len(y)), y].mean()),
        "accuracy": float((logits.argmax(axis=1) == y).mean()),
    }


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    model, path = load_checkpoint(run, checkpoint)
    split = load_split(config.data, config.trainer.seed)
    classes = read_classes(run)
    if len(split.class_names) != len(classes) or model.output_shape[-1] != len(classes):
        raise ConfigError(
            f"data.source {config.data.source!r} has {len(split.class_names)} classes but the "
            f"run was trained on {len(classes)}; evaluate on the data the run was trained with"
        )
    metrics = score(model, split.x_val, split.y_val, config.data.batch_size)
    result: dict[str, Any] = {
        "run_dir": str(run),
        "checkpoint": str(path),
        "backend": backend(),
        "loss": metrics["loss"],
        "accuracy": metrics["accuracy"],
        "num_samples": len(split.y_val),
    }
    if checkpoint is None:
        try:
            state = read_state(run)
        except ProjectError:  # an interrupted first epoch: nothing recorded yet
            return result
        result["recorded"] = {
            "metric": config.trainer.best_metric,
            "value": state.best_value,
            "epoch": state.best_epoch,
        }
    return result
