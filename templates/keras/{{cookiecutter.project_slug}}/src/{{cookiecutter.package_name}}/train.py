"""Training with `compile`/`fit` into a run directory, and `--resume` of an interrupted run.

Resume semantics: at the end of every epoch (and once before the first) the run's whole training
state goes to `<run>/resume.npz` (see `checkpoint.py`). `train --resume` restores it and continues
with the next epoch, up to `trainer.epochs` in total; an epoch that SIGINT or SIGTERM cut short is
run again from its start, with the same shuffle (drawn from the seed and the epoch number), so the
resumed run ends exactly where an unbroken one would.
"""

from __future__ import annotations

import csv
import gc
import sys
import time
from pathlib import Path
from typing import Any

import keras

from .batches import TrainBatches
from .callbacks import (
    Checkpoints,
    EpochOrder,
    MetricsCSV,
    ScalarTensorBoard,
    StopOnSignal,
    Throughput,
    Validation,
    columns,
)
from .checkpoint import BEST, RESUME, RunState, read_state, restore_state, save_state
from .config import Config, save_config
from .data import Split
from .distributed import Placement, place
from .errors import ConfigError
from .interrupts import stop_on_signals
from .model import build_model
from .precision import backend, set_precision
from .runs import CONFIG_FILE, create_run
{% if cookiecutter.task == "generative" %}
from .samples import Samples
{% endif %}
from .task import (
    loss,
    metric_names,
    new_split,
    read_meta,
    run_split,
    summary,
    train_metrics,
    write_meta,
)

METRICS_FILE = "metrics.csv"


def epoch_columns(meta: Any) -> dict[str, str]:
    """What every epoch records (metrics.csv's columns) for this data."""
    return columns([m.name for m in train_metrics(meta)], metric_names(meta))


def check_best_metric(metric: str, recorded: dict[str, str]) -> None:
    """trainer.best_metric names a column of every task; refuse one this data does not record."""
    names = [name for name in recorded.values() if name.startswith(("train_", "val_"))]
    if metric not in names:
        raise ConfigError(
            f"trainer.best_metric {metric!r} is not recorded for this data; use one of "
            f"{', '.join(names)}"
        )


def prepare_data(config: Config, resume: Path | None) -> tuple[Split, TrainBatches]:
    """The split to train on; a resumed run's as it was trained on (its own fitted meta)."""
    seed = config.trainer.seed
    if resume is None:
        split = new_split(config, seed)
    else:  # the data it was trained on, read with what was fitted to it then
        split = run_split(config.data, seed, read_meta(resume))
    check_best_metric(config.trainer.best_metric, epoch_columns(split.meta))
    if config.data.batch_size > len(split.y_train):
        raise ConfigError(
            f"data.batch_size {config.data.batch_size} is larger than the "
            f"{len(split.y_train)} training samples; lower it"
        )
    batches = TrainBatches(
        split.x_train, split.y_train, config.data.batch_size, config.trainer.seed
    )
    return split, batches


def callbacks(
    config: Config, run: Path, state: RunState, stopper: StopOnSignal, split: Split,
    batches: TrainBatches, devices: int,
) -> list[keras.callbacks.Callback]:  # fmt: skip
    cfg, recorded = config.trainer, epoch_columns(split.meta)
    result = [
        stopper,
        EpochOrder(batches),
        Throughput(len(batches) * config.data.batch_size),
        Validation(stopper, split.x_val, split.y_val, split.meta, config.data.batch_size, devices),
{% if cookiecutter.task == "generative" %}
        # Before the state: an epoch whose state was saved always has its grid.
        Samples(
            stopper, run, config.model.samples_per_epoch, cfg.seed, config.data.batch_size, devices
        ),
{% endif %}
        # The row is written before the state: a resume drops rows past the state's epoch.
        MetricsCSV(stopper, run / METRICS_FILE, recorded),
        Checkpoints(stopper, run, state, cfg, recorded),
    ]
    if cfg.tensorboard:
        resumed_at = state.epochs_completed or None
        result.append(ScalarTensorBoard(stopper, run / "tensorboard", resumed_at))
    return result


def drop_rows_after(path: Path, epochs: int) -> None:
    """Forget metrics.csv rows of epochs the resumable state does not include."""
    if not path.is_file():
        return
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    kept = rows[:1] + [row for row in rows[1:] if row and int(row[0]) <= epochs]
    if len(kept) != len(rows):
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(kept)


def start(config: Config, resume: Path | None) -> Path:
    """The run directory to train in: `resume`, or a new one with this config saved in it."""
    if resume is not None:
        drop_rows_after(resume / METRICS_FILE, read_state(resume).epochs_completed)
        return resume
    run = create_run(config.trainer.runs_dir, config.trainer.run_name)
    save_config(config, run / CONFIG_FILE)
    return run


def compile_model(
    model: keras.Model, meta: Any, lr: float, jit_compile: str | bool = "auto"
) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=loss(meta),
        metrics=train_metrics(meta),
        jit_compile=jit_compile,
    )
    return model


def build(config: Config, placement: Placement, split: Split) -> keras.Model:
    cfg = config.trainer
    with placement.scope():
        model = build_model(config.data, config.model, split.meta, cfg.seed)
        compile_model(model, split.meta, cfg.lr, cfg.jit_compile)
        # Built now, so that its slots exist to be saved before the first step and restored.
        model.optimizer.build(model.trainable_variables)
    return model


def epochs_to_run(config: Config, state: RunState) -> int:
    """The `epochs` argument of `fit`: the configured total, unless early stopping ended it."""
    patience = config.trainer.early_stopping_patience
    if patience and state.epochs_since_best >= patience:
        return state.epochs_completed
    return config.trainer.epochs


def stopped_where(stopper: StopOnSignal, state: RunState) -> str:
    done = state.epochs_completed
    if stopper.cut_short is None:
        return f"after epoch {done}"
    epoch, step = stopper.cut_short
    return f"in epoch {epoch} after step {step} (resume repeats epoch {done + 1} from its start)"


def train(config: Config, resume: Path | None = None) -> dict[str, Any]:
    cfg = config.trainer
    if resume is not None:
        read_state(resume)  # refuse a run without a checkpoint before any work
    keras.utils.set_random_seed(cfg.seed)
    policy = set_precision(cfg.mixed_precision)
    placement = place(config.distribute.strategy, config.data.batch_size)
    split, batches = prepare_data(config, resume)
    with stop_on_signals() as stop:
        model = build(config, placement, split)  # a model it cannot build leaves no run behind
        run = start(config, resume)
        write_meta(run, split.meta)
        if resume is None:
            state = RunState()
            save_state(model, run, state)  # so that even a stop in epoch 1 can be resumed
        else:
            state = restore_state(model, run)
        done, stopper = state.epochs_completed, StopOnSignal(stop)
        begin = time.perf_counter()
        model.fit(
            batches.fit_data(),
            epochs=epochs_to_run(config, state),
            initial_epoch=done,
            # The batches shuffle themselves, by (seed, epoch); Keras's own shuffle of the batch
            # order draws from NumPy's global generator, which no checkpoint captures.
            shuffle=False,
            callbacks=callbacks(config, run, state, stopper, split, batches, placement.num_devices),
            # One line per epoch when the output is a log file rather than a terminal.
            verbose=1 if sys.stdout.isatty() else 2,
        )
        wall = time.perf_counter() - begin
        if stop.requested is not None:
            # An epoch cut short leaves TensorFlow's data iterator unfinished; collected at exit,
            # it would print a C++ error after the one-line message.
            gc.collect()
            raise stop.stop(stopped_where(stopper, state), run / RESUME)
    return {
        "run_dir": str(run),
        "backend": backend(),
        "epochs_completed": state.epochs_completed,
        "epochs_this_run": state.epochs_completed - done,
        **state.last,
        "best_metric": cfg.best_metric,
        "best_value": state.best_value,
        "best_epoch": state.best_epoch,
        "best_checkpoint": str(run / BEST),
        "wall_s": round(wall, 2),
        "dtype_policy": policy,
        "strategy": placement.strategy,
        "num_devices": placement.num_devices,
        "num_params": model.count_params(),
        **summary(split),
    }
