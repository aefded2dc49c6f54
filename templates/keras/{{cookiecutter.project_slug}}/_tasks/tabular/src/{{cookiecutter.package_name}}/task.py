"""What makes this a tabular model for the common training code: the run's preprocessing, the
loss and metrics of its objective, the epoch scores and the baselines to beat."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .batches import take
from .data import Split, load_split
from .errors import ConfigError, ProjectError
from .losses import cross_entropy
from .scores import baselines, epoch_metric_names
from .scores import score as table_score
from .table import Preprocessing
from .task_config import DataConfig

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_ROWS = 16  # held-out samples the export is checked on
META_FILE = "preprocessing.json"  # fitted on the training rows, saved with every run


def write_meta(run: Path, prep: Preprocessing) -> None:
    prep.save(Path(run) / META_FILE)


def read_meta(run: Path) -> Preprocessing:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    return Preprocessing.load(path)


def check_data(split: Split, trained_on: Preprocessing, source: str) -> None:
    """Refuse a table the run was not trained on: its inputs would mean something else."""
    if split.meta != trained_on:
        raise ConfigError(
            f"data.source {source!r} gives other columns, classes or statistics than the run was "
            "trained with; evaluate on the data (and data.* settings) of the run"
        )


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on."""
    return load_split(config.data, seed)


def run_split(data: DataConfig, seed: int, trained_on: Preprocessing) -> Split:
    """The split as the run's model reads it: the data loaded again, refused (one line) if it is
    not what the run was trained on."""
    split = load_split(data, seed)
    check_data(split, trained_on, data.source)
    return split


def loss(prep: Preprocessing) -> keras.losses.Loss:
    if prep.objective == "classification":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    # On the standardised target: one learning rate suits any target scale.
    return keras.losses.MeanSquaredError()


def train_metrics(prep: Preprocessing) -> list[keras.metrics.Metric]:
    return []  # the validation scores say more, computed on every held-out row


def metric_names(prep: Preprocessing) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return [name.removeprefix("val_") for name in epoch_metric_names(prep.objective)]


def score(outputs: np.ndarray, y: np.ndarray, prep: Preprocessing) -> dict[str, float]:
    """The loss as training sees it (cross-entropy, or MSE of the standardised target), then
    accuracy and AUC, or RMSE and MAE in the target's units."""
    if prep.objective == "classification":
        value = cross_entropy(outputs, y)
    else:
        value = float(np.mean((outputs.reshape(-1) - y) ** 2))
    return {"loss": value, **table_score(prep.objective, outputs, y, prep)}


def summary(split: Split) -> dict[str, Any]:
    prep = split.meta
    described: dict[str, Any] = {"objective": prep.objective, "target": prep.target}
    if prep.objective == "classification":
        described["classes"] = prep.classes
    described["baselines"] = baselines(prep, split.train_frame, split.val_frame)
    return described


def export_files(prep: Preprocessing) -> dict[str, Any]:
    """Files written beside the artifact, and (ONNX) into its metadata under the same keys."""
    return {"preprocessing": prep.to_dict()}


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_limit(model: keras.Model) -> int | None:
    """The longest input the export serves along a dynamic dimension, if bounded: none,
    rows have a fixed width."""
    return None


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: the first held-out samples."""
    return [keras.tree.flatten(take(split.x_val, slice(0, ROUND_TRIP_ROWS)))]
