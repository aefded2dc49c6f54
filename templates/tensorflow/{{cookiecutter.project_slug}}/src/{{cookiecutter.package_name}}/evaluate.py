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
from .task import Task, spec_mismatch


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict:
    """The validation metrics of `checkpoint` (default: the run's best) on the run's split.

    `config` is the run's own saved configuration, so the split is the one training held out.
    """
    set_seed(config.trainer.seed)
    path = resolve_checkpoint(run, checkpoint)
    model, spec = load_trained_model(config, path)
    data = load_datasets(config.data, config.trainer.seed{% if cookiecutter.task == "recommendation" %}, config.model.top_k{% endif %})
    if mismatch := spec_mismatch(spec, data.spec):
        raise ConfigError(f"data.source {config.data.source!r}: {mismatch} (checkpoint {path})")
    strategy = tf.distribute.get_strategy()  # a single device is plenty for evaluation
    task = Task(spec{% if cookiecutter.task == "generative" %}, config.model{% endif %})
    metrics = run_eval(strategy, make_eval_step(strategy, model, task), data.val_batches(), task)
    check_finite("the validation loss", metrics["val_loss"], f"of {path}")
    return {
        "run_dir": str(run),
        "checkpoint": path,
        **metrics,
        "num_samples": data.num_val,
        **data.summary,
    }
