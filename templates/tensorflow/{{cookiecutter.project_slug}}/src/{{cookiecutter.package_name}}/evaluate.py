"""Evaluation of a checkpoint on the held-out split."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from .config import Config
from .data import load_datasets
from .model import build_model
from .train import make_eval_step, run_eval
from .utils import set_seed


def resolve_checkpoint(config: Config, checkpoint: Path | None = None) -> str:
    """A checkpoint prefix: the given one (prefix or directory), else the run's best, else last."""
    root = Path(config.trainer.output_dir) / "checkpoints"
    candidates = [checkpoint] if checkpoint is not None else [root / "best", root / "last"]
    for candidate in candidates:
        if Path(f"{candidate}.index").is_file():
            return str(candidate)
        if Path(candidate).is_dir() and (latest := tf.train.latest_checkpoint(str(candidate))):
            return latest
    raise FileNotFoundError(f"no checkpoint at {' or '.join(map(str, candidates))}; train first")


def load_trained_model(
    config: Config, checkpoint: Path | None = None
) -> tuple[tf.keras.Model, str]:
    """A float32 model with the weights of `checkpoint` (optimizer state is not needed here)."""
    path = resolve_checkpoint(config, checkpoint)
    model = build_model(config)
    status = tf.train.Checkpoint(model=model).restore(path)
    # Every model variable must come from the file; the optimizer slots in it are ignored.
    status.expect_partial().assert_existing_objects_matched()
    return model, path


def evaluate(config: Config, checkpoint: Path | None = None) -> dict:
    set_seed(config.trainer.seed)
    model, path = load_trained_model(config, checkpoint)
    data = load_datasets(config.data, config.trainer.seed)
    strategy = tf.distribute.get_strategy()  # a single device is plenty for evaluation
    loss, accuracy = run_eval(strategy, make_eval_step(strategy, model), data.val)
    return {"checkpoint": path, "loss": loss, "accuracy": accuracy, "num_samples": data.num_val}
