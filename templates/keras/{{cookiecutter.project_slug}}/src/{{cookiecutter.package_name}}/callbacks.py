"""The project's own callbacks: throughput, the metrics CSV, a TensorFlow-free TensorBoard writer,
and the run record that `train --resume` reads."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, ClassVar

import keras
import numpy as np

from .scalars import ScalarWriter

STATE_FILE = "state.json"


class Throughput(keras.callbacks.Callback):
    """Adds `samples_per_s` (training steps only) and `learning_rate` to each epoch's logs."""

    def __init__(self, samples_per_epoch: int) -> None:
        super().__init__()
        self.samples_per_epoch = samples_per_epoch
        self._start = self._train_time = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        self._train_time = 0.0

    def on_test_begin(self, logs: dict | None = None) -> None:
        if self._start and not self._train_time:  # validation inside fit() ends the training part
            self._train_time = time.perf_counter() - self._start

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        elapsed = self._train_time or time.perf_counter() - self._start
        logs["samples_per_s"] = self.samples_per_epoch / max(elapsed, 1e-9)
        if "learning_rate" not in logs:
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))


class MetricsCSV(keras.callbacks.CSVLogger):
    """`CSVLogger` with the project's column names and 1-based epochs; appends on resume."""

    COLUMNS: ClassVar[dict[str, str]] = {
        "loss": "train_loss",
        "accuracy": "train_accuracy",
        "val_loss": "val_loss",
        "val_accuracy": "val_accuracy",
        "learning_rate": "lr",
        "samples_per_s": "samples_per_s",
    }

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        row = {new: logs[old] for old, new in self.COLUMNS.items() if old in logs}
        super().on_epoch_end(epoch + 1, row)


class ScalarTensorBoard(keras.callbacks.Callback):
    """Epoch scalars for TensorBoard without importing TensorFlow.

    `keras.callbacks.TensorBoard` writes through `tf.summary`, so on the JAX and PyTorch backends it
    would import (and require) TensorFlow. The layout matches Keras's: `train/` and `validation/`
    runs with `epoch_<metric>` tags.
    """

    def __init__(self, log_dir: Path) -> None:
        super().__init__()
        self.writer = ScalarWriter(log_dir)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        runs: dict[str, dict[str, float]] = {run: {} for run in ("train", "validation")}
        for key, value in (logs or {}).items():
            run, tag = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            runs[run][f"epoch_{tag}"] = float(value)
        for run, values in runs.items():
            if values:
                self.writer.add_scalars(run, values, epoch)

    def on_train_end(self, logs: dict | None = None) -> None:
        self.writer.close()


class RunState(keras.callbacks.Callback):
    """Records completed epochs and the best val_loss in `state.json` after every epoch."""

    def __init__(self, path: Path, state: dict[str, Any]) -> None:
        super().__init__()
        self.path = Path(path)
        self.state = state

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        self.state["epochs_completed"] = epoch + 1
        for key in ("val_loss", "val_accuracy", "samples_per_s"):
            if key in logs:
                self.state[key] = float(logs[key])
        best = self.state.get("best_val_loss")
        if "val_loss" in logs and (best is None or logs["val_loss"] < best):
            self.state["best_val_loss"] = float(logs["val_loss"])
        self.path.write_text(json.dumps(self.state, indent=2), encoding="utf-8")


def read_state(output_dir: Path) -> dict[str, Any]:
    path = Path(output_dir) / STATE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
