"""The callbacks `fit` runs with: shuffle order, throughput, validation, checkpoints, metrics,
TensorBoard, and a clean stop on SIGINT or SIGTERM.

A signal lets the current step finish, then `StopOnSignal` sets `model.stop_training`; Keras
still calls `on_epoch_end` for the epoch it cut short, so every callback that records an epoch
derives from `FullEpochCallback` and ignores that one. Resume then restarts the interrupted epoch
from the state saved at the end of the one before, which repeats it exactly.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .batches import Inputs, TrainBatches, predict_all
from .checkpoint import BEST, RunState, save_state
from .config import TrainerConfig
from .errors import check_finite
from .interrupts import StopRequest
from .metrics_csv import append_row
from .scalars import ScalarWriter
from .task import score


def columns(train_metrics: list[str], val_metrics: list[str]) -> dict[str, str]:
    """metrics.csv columns, keyed by their names in Keras's logs: the task's compiled training
    metrics and the validation scores it computes (both without their train_/val_ prefix)."""
    return {
        "loss": "train_loss",
        **{name: f"train_{name}" for name in train_metrics},
        **{f"val_{name}": f"val_{name}" for name in val_metrics},
        "learning_rate": "lr",
        "samples_per_s": "samples_per_s",
    }


def steps_taken(model: keras.Model) -> int:
    """The optimizer's step count. Read through NumPy: under a TensorFlow `MirroredStrategy` the
    count is a mirrored variable, which `int()` refuses."""
    return int(keras.ops.convert_to_numpy(model.optimizer.iterations))


class StopOnSignal(keras.callbacks.Callback):
    """Ends `fit` after the step during which SIGINT or SIGTERM arrived: the signal handler sets
    `model.stop_training`, which `fit` reads after every step. There is no per-step hook: with one,
    Keras waits for every step's logs before the next step starts."""

    def __init__(self, stop: StopRequest) -> None:
        super().__init__()
        self.stop = stop
        self.cut_short: tuple[int, int] | None = None  # (1-based epoch, steps done) if stopped
        self._first_step = 0
        self._fitting: keras.Model | None = None
        stop.on_request(self._end_fit)

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        self._fitting = model

    def _end_fit(self) -> None:
        # Not `self.model`: on JAX reading it syncs the model's state, which in the middle of a
        # step (where a signal lands) would attach buffers the step has already consumed.
        if self._fitting is not None:
            self._fitting.stop_training = True

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._first_step = steps_taken(self.model)
        if self.stop.requested is not None:  # arrived before `fit` started
            self._end_fit()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.stop.requested is None:
            return
        done = steps_taken(self.model) - self._first_step
        if done < self.params["steps"]:
            self.cut_short = (epoch + 1, done)
        self._end_fit()  # arrived while the epoch was being recorded, or during its last step


class FullEpochCallback(keras.callbacks.Callback):
    """A callback whose `epoch_done` runs only for epochs that ran to their last step."""

    def __init__(self, stopper: StopOnSignal) -> None:
        super().__init__()
        self.stopper = stopper

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.stopper.cut_short is None:
            self.epoch_done(epoch, logs if logs is not None else {})

    def epoch_done(self, epoch: int, logs: dict) -> None:
        raise NotImplementedError


class EpochOrder(keras.callbacks.Callback):
    """Tells the training batches which epoch starts, so its shuffle is that epoch's."""

    def __init__(self, batches: TrainBatches) -> None:
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.batches.set_epoch(epoch)


class Throughput(keras.callbacks.Callback):
    """Adds `samples_per_s` of the training steps (validation excluded) and `learning_rate`."""

    def __init__(self, samples_per_epoch: int) -> None:
        super().__init__()
        self.samples_per_epoch = samples_per_epoch
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        elapsed = time.perf_counter() - self._start
        logs["samples_per_s"] = self.samples_per_epoch / max(elapsed, 1e-9)
        if "learning_rate" not in logs:
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))


class Validation(FullEpochCallback):
    """Adds the task's val_* scores, computed by `task.score` on every held-out sample, and stops
    with one line when a loss is no longer finite."""

    def __init__(
        self, stopper: StopOnSignal, x: Inputs, y: np.ndarray, meta: Any, batch_size: int,
        devices: int,
    ) -> None:  # fmt: skip
        super().__init__(stopper)
        self.x, self.y, self.meta = x, y, meta
        self.batch_size, self.devices = batch_size, devices

    def epoch_done(self, epoch: int, logs: dict) -> None:
        where = f"in epoch {epoch + 1}"
        check_finite("train_loss", float(logs.get("loss", np.nan)), where)
        outputs = predict_all(self.model, self.x, self.batch_size, self.devices)
        metrics = score(outputs, self.y, self.meta)
        check_finite("val_loss", metrics["loss"], where)
        logs.update({f"val_{name}": value for name, value in metrics.items()})


class Checkpoints(FullEpochCallback):
    """Keeps `best.keras` by `best_metric`/`best_mode`, counts epochs without improvement (early
    stopping), and writes the resumable state, in that order, after every epoch."""

    def __init__(
        self, stopper: StopOnSignal, run: Path, state: RunState, cfg: TrainerConfig,
        columns: dict[str, str],
    ) -> None:  # fmt: skip
        super().__init__(stopper)
        self.run, self.state, self.columns = Path(run), state, columns
        metric = cfg.best_metric
        self.key = "loss" if metric == "train_loss" else metric.replace("train_", "")
        self.mode, self.patience = cfg.best_mode, cfg.early_stopping_patience

    def epoch_done(self, epoch: int, logs: dict) -> None:
        value = float(logs[self.key])
        state = self.state
        if state.improves(value, self.mode):
            self.model.save(self.run / BEST)
            state.best_value, state.best_epoch, state.epochs_since_best = value, epoch + 1, 0
        else:
            state.epochs_since_best += 1
        state.epochs_completed = epoch + 1
        state.last = {self.columns[k]: float(v) for k, v in logs.items() if k in self.columns}
        save_state(self.model, self.run, state)
        if self.patience and state.epochs_since_best >= self.patience:
            self.model.stop_training = True


class MetricsCSV(FullEpochCallback):
    """One row per epoch in `metrics.csv` (1-based epochs), appended across resumes."""

    def __init__(self, stopper: StopOnSignal, path: Path, columns: dict[str, str]) -> None:
        super().__init__(stopper)
        self.path, self.columns = Path(path), columns

    def epoch_done(self, epoch: int, logs: dict) -> None:
        row = {new: logs[k] for k, new in self.columns.items() if k in logs}
        row["epoch"] = epoch + 1
        append_row(self.path, row, ["epoch", *self.columns.values()])


class ScalarTensorBoard(FullEpochCallback):
    """Epoch scalars for TensorBoard, the same on every backend and without TensorFlow.

    `keras.callbacks.TensorBoard` writes through `tf.summary`, which needs TensorFlow (and, since
    TensorFlow 2.21, a separately installed `tensorboard`). The layout matches Keras's: `train/`
    and `validation/` runs with `epoch_<metric>` tags.
    """

    def __init__(self, stopper: StopOnSignal, log_dir: Path, resumed_at: int | None) -> None:
        super().__init__(stopper)
        self.writer = ScalarWriter(log_dir, resume_from_step=resumed_at)

    def epoch_done(self, epoch: int, logs: dict) -> None:
        runs: dict[str, dict[str, float]] = {run: {} for run in ("train", "validation")}
        for key, value in logs.items():
            run, tag = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            runs[run][f"epoch_{tag}"] = float(value)
        for run, values in runs.items():
            if values:
                self.writer.add_scalars(run, values, epoch)

    def on_train_end(self, logs: dict | None = None) -> None:
        self.writer.close()
