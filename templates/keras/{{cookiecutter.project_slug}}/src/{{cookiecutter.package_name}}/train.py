"""Training with `compile`/`fit`, checkpoints, metrics, and resume after an interruption.

Resume semantics: every epoch ends with a backup (weights, optimizer state and the epoch count,
via `keras.callbacks.BackupAndRestore`) in `<output_dir>/backup/`, which is kept after the run
finishes. `train --resume` restores it and trains up to `trainer.epochs` epochs in total: after a
1-epoch run, `--resume --set trainer.epochs=2` trains exactly one more epoch. Without `--resume`,
training starts from scratch and replaces the run's backup, metrics and checkpoints.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any

import keras

from .callbacks import STATE_FILE, MetricsCSV, RunState, ScalarTensorBoard, Throughput, read_state
from .config import Config, save_config
from .data import datasets, load_split
from .model import build_model, compile_model
from .utils import backend, place, seed_everything, set_precision, tensorflow_kept_unloaded

BEST = "best.keras"
LAST = "last.keras"


def callbacks(
    config: Config, out: Path, n_train: int, resume: bool
) -> list[keras.callbacks.Callback]:
    state = read_state(out) if resume else {}
    best_so_far = state.get("best_val_loss")
    result: list[keras.callbacks.Callback] = [
        Throughput(n_train),
        # Restores weights, optimizer and epoch at the start of fit(); kept at the end so that a
        # finished run can be continued too.
        keras.callbacks.BackupAndRestore(out / "backup", delete_checkpoint=False),
        keras.callbacks.ModelCheckpoint(
            out / BEST,
            monitor="val_loss",
            save_best_only=True,
            # After a resume, only an epoch better than the best before it replaces best.keras.
            initial_value_threshold=best_so_far,
        ),
        keras.callbacks.ModelCheckpoint(out / LAST),
        MetricsCSV(str(out / "metrics.csv"), append=resume),
        RunState(out / STATE_FILE, state),
    ]
    if config.trainer.early_stopping_patience > 0:
        result.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.trainer.early_stopping_patience
            )
        )
    if config.trainer.tensorboard:
        log_dir = out / "tensorboard"
        if backend() == "tensorflow":
            result.append(keras.callbacks.TensorBoard(log_dir=str(log_dir)))
        else:
            result.append(ScalarTensorBoard(log_dir))
    return result


def train(config: Config, resume: bool = False) -> dict[str, Any]:
    cfg = config.trainer
    out = Path(cfg.output_dir)
    if resume and not (out / "backup").is_dir():
        raise SystemExit(
            f"nothing to resume: {out / 'backup'} does not exist; train without --resume"
        )
    if not resume:
        for stale in ("backup", "tensorboard", BEST, LAST, "metrics.csv", STATE_FILE):
            path = out / stale
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    save_config(config, out / "config.toml")

    seed_everything(cfg.seed)
    policy = set_precision(cfg.mixed_precision)
    placement = place(config.distribute.strategy)
    split = load_split(config.data, cfg.seed)
    train_data, val_data = datasets(split, config.data, cfg.seed)
    with placement.scope():
        model = build_model(config.data, config.model, cfg.seed)
        compile_model(model, cfg.lr, cfg.jit_compile)

    start = time.perf_counter()
    with tensorflow_kept_unloaded():
        history = model.fit(
            train_data,
            validation_data=val_data,
            epochs=cfg.epochs,
            callbacks=callbacks(config, out, len(train_data) * config.data.batch_size, resume),
            # One line per epoch when the output is a log file rather than a terminal.
            verbose=1 if sys.stdout.isatty() else 2,
        )
    state = read_state(out)
    return {
        "backend": backend(),
        "epochs_completed": state.get("epochs_completed", 0),
        "epochs_this_run": len(history.epoch),
        "val_loss": state.get("val_loss"),
        "val_accuracy": state.get("val_accuracy"),
        "best_val_loss": state.get("best_val_loss"),
        "samples_per_s": state.get("samples_per_s"),
        "wall_s": round(time.perf_counter() - start, 2),
        "dtype_policy": policy,
        "strategy": placement.strategy,
        "num_devices": placement.num_devices,
        "num_params": model.count_params(),
        "output_dir": str(out),
        "best_checkpoint": str(out / BEST),
    }
