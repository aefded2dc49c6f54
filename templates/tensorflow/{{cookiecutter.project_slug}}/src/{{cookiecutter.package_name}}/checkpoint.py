"""Checkpoints: what a run saves, where, and how resume, evaluate and export find one.

A checkpoint (`tf.train.Checkpoint`) holds the model, the optimizer (its slots and step counter,
which also drives the learning-rate schedule), the dropout generators' states, the run's counters
(`TrainState`) and the task's spec of the data (e.g. the class names), so a checkpoint file alone
says what its outputs mean.

    <run>/checkpoints/last/ckpt-<step>   every epoch end and every interrupt (`trainer.keep_last`)
    <run>/checkpoints/best/ckpt-<step>   the best epoch by `trainer.best_metric`
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import tensorflow as tf

from .config import Config
from .errors import ConfigError, ProjectError
from .model import build_model
from .task import spec_from_text, spec_mismatch

_VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"


class TrainState:
    """The counters saved with the weights: the position in the run, the best metric so far,
    and the running sums of the epoch in progress (so an interrupted epoch reports the same
    training loss as an unbroken one)."""

    def __init__(self, best_mode: str, steps_per_epoch: int, spec: str, num_sums: int) -> None:
        def variable(value, dtype, name):
            return tf.Variable(value, dtype=dtype, trainable=False, name=name)

        self.step = variable(0, tf.int64, "step")  # optimizer steps taken
        self.best = variable(math.inf if best_mode == "min" else -math.inf, tf.float64, "best")
        self.best_step = variable(0, tf.int64, "best_step")
        self.loss_sum = variable(0.0, tf.float32, "loss_sum")
        self.metric_sums = variable(tf.zeros([num_sums]), tf.float32, "metric_sums")
        self.steps_per_epoch = variable(steps_per_epoch, tf.int64, "steps_per_epoch")
        self.spec = variable(spec, tf.string, "spec")  # the task's spec, as text

    def trackables(self) -> dict[str, tf.Variable]:
        return dict(vars(self))


def dropout_rng_states(model: tf.keras.Model) -> list[tf.Variable]:
    """The state variables of the model's Keras seed generators (the dropout masks' RNG).

    tf.train.Checkpoint does not reach them through the model, so they are checkpointed
    explicitly: without them a resumed run would draw different dropout masks.
    """
    return [v.value for v in model.non_trainable_variables if "seed_generator" in v.path]


def make_checkpoint(model, optimizer, state: TrainState) -> tf.train.Checkpoint:
    rng = dropout_rng_states(model)
    return tf.train.Checkpoint(
        model=model, optimizer=optimizer, dropout_rng=rng, **state.trackables()
    )


class Managers:
    """The `last` and `best` checkpoint folders under `root` (the run, or a worker's scratch)."""

    def __init__(self, checkpoint: tf.train.Checkpoint, root: Path, keep_last: int) -> None:
        folder = root / "checkpoints"
        self.last = tf.train.CheckpointManager(checkpoint, str(folder / "last"), keep_last)
        self.best = tf.train.CheckpointManager(checkpoint, str(folder / "best"), max_to_keep=1)


def restore_for_resume(
    checkpoint: tf.train.Checkpoint, run: Path, steps_per_epoch: int, spec
) -> str:
    """Restore the run's newest checkpoint, after checking it was made with this data."""
    folder = run / "checkpoints" / "last"
    latest = tf.train.latest_checkpoint(str(folder))
    if latest is None:
        raise ProjectError(
            f"{run} has no checkpoint to resume from ({folder} is empty); start a new run "
            "with `train`"
        )
    saved_spec, saved_steps = read_saved(latest, "spec", "steps_per_epoch")
    if mismatch := spec_mismatch(spec_from_text(saved_spec.decode()), spec):
        raise ConfigError(f"{mismatch}; resume with the run's data settings (its config.toml)")
    if int(saved_steps) != steps_per_epoch:
        raise ConfigError(
            f"the run took {int(saved_steps)} steps per epoch, this data and batch size give "
            f"{steps_per_epoch}; resume with the run's data settings (its config.toml)"
        )
    checkpoint.restore(latest).assert_existing_objects_matched()
    return latest


def read_saved(path: str, *names: str) -> list:
    """Values of TrainState variables stored in the checkpoint at `path`, without a model."""
    reader = tf.train.load_checkpoint(path)
    return [reader.get_tensor(name + _VALUE) for name in names]


def resolve_checkpoint(run: Path, checkpoint: Path | None = None) -> str:
    """A checkpoint prefix: the given one (prefix or folder), else the run's best, else last."""
    root = run / "checkpoints"
    candidates = [checkpoint] if checkpoint is not None else [root / "best", root / "last"]
    for candidate in candidates:
        if Path(f"{candidate}.index").is_file():
            return str(candidate)
        if Path(candidate).is_dir() and (latest := tf.train.latest_checkpoint(str(candidate))):
            return latest
    if checkpoint is not None:
        raise ProjectError(
            f"no checkpoint at {checkpoint}: give a prefix such as {root / 'best' / 'ckpt-84'} "
            "(without .index) or a folder of checkpoints"
        )
    raise ProjectError(f"{run} has no checkpoint yet: train it (or `train --resume {run}`)")


def load_trained_model(config: Config, path: str) -> tuple[tf.keras.Model, Any]:
    """A float32 model with the weights of checkpoint `path`, and the task's spec it holds."""
    (text,) = read_saved(path, "spec")
    spec = spec_from_text(text.decode())
    model = build_model(config, spec)
    try:
        status = tf.train.Checkpoint(model=model).restore(path)
        # Every model variable must come from the file; the optimizer slots in it are ignored.
        status.expect_partial().assert_existing_objects_matched()
    except (AssertionError, ValueError, tf.errors.OpError) as exc:
        raise ConfigError(
            f"checkpoint {path} does not fit the model this config builds (were model.* or "
            f"data.* settings changed since training?): {exc}"
        ) from exc
    return model, spec
