"""The metrics of a run's best model on that run's held-out split.

They come from `task.score`, which is also what training records as the val_* metrics, so
evaluating the best checkpoint reproduces the number recorded for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .batches import predict_all
from .checkpoint import load_checkpoint, read_state
from .config import Config
from .errors import ProjectError
from .precision import backend
from .task import read_meta, run_split, score, summary


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    meta = read_meta(run)  # first: a run it cannot read is refused before a model is loaded
    model, path = load_checkpoint(run, checkpoint)
    split = run_split(config.data, config.trainer.seed, meta)
    outputs = predict_all(model, split.x_val, config.data.batch_size)
    result: dict[str, Any] = {
        "run_dir": str(run),
        "checkpoint": str(path),
        "backend": backend(),
        **score(outputs, split.y_val, split.meta),
        "num_samples": len(split.y_val),
        **summary(split),
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
