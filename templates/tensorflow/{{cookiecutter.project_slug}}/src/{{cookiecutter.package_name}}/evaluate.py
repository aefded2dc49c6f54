"""Evaluation of a run's checkpoint on the held-out split the run was trained without."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .data import load_datasets
from .errors import ConfigError, check_finite
from .seeding import set_seed
from .steps import make_eval_step, run_eval


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict:
    """Loss and accuracy of `checkpoint` (default: the run's best) on the run's validation split.

    `config` is the run's own saved configuration, so the split is the one training held out.
    """
    set_seed(config.trainer.seed)
    path = resolve_checkpoint(run, checkpoint)
    model, class_names = load_trained_model(config, path)
    data = load_datasets(config.data, config.trainer.seed)
    if data.class_names != class_names:
        raise ConfigError(
            f"data.source {config.data.source!r} has classes {data.class_names}, the checkpoint "
            f"was trained on {class_names}"
        )
    strategy = tf.distribute.get_strategy()  # a single device is plenty for evaluation
    loss, accuracy = run_eval(strategy, make_eval_step(strategy, model), data.val)
    check_finite("the validation loss", loss, f"of {path}")
    return {
        "run_dir": str(run),
        "checkpoint": path,
        "val_loss": loss,
        "val_accuracy": accuracy,
        "num_samples": data.num_val,
        "class_names": class_names,
    }
