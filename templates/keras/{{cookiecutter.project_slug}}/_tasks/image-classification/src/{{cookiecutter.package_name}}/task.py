"""What makes this an image classifier for the common training code: the run's class names, the
loss and metrics, the epoch scores, and the label file that goes with an export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .batches import take
from .data import Split, load_split
from .errors import ConfigError, ProjectError
from .losses import cross_entropy
from .task_config import DataConfig

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_ROWS = 16  # held-out samples the export is checked on
META_FILE = "classes.json"  # the class names in label order, saved with every run


def write_meta(run: Path, class_names: list[str]) -> None:
    (Path(run) / META_FILE).write_text(json.dumps(class_names, indent=1) + "\n", encoding="utf-8")


def read_meta(run: Path) -> list[str]:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    return json.loads(path.read_text(encoding="utf-8"))


def check_data(split: Split, trained_on: list[str], source: str) -> None:
    """Refuse data whose classes are not the ones the run was trained on."""
    if len(split.meta) != len(trained_on):
        raise ConfigError(
            f"data.source {source!r} has {len(split.meta)} classes but the run was trained on "
            f"{len(trained_on)}; evaluate on the data the run was trained with"
        )


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on."""
    return load_split(config.data, seed)


def run_split(data: DataConfig, seed: int, trained_on: list[str]) -> Split:
    """The split as the run's model reads it: the data loaded again, refused (one line) if it is
    not what the run was trained on."""
    split = load_split(data, seed)
    check_data(split, trained_on, data.source)
    return split


def loss(class_names: list[str]) -> keras.losses.Loss:
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_metrics(class_names: list[str]) -> list[keras.metrics.Metric]:
    return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]


def metric_names(class_names: list[str]) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "accuracy"]


def score(logits: np.ndarray, y: np.ndarray, class_names: list[str]) -> dict[str, float]:
    """Mean cross-entropy and accuracy over every sample, from float64 logits."""
    return {
        "loss": cross_entropy(logits, y),
        "accuracy": float((logits.argmax(axis=1) == y).mean()),
    }


def summary(split: Split) -> dict[str, Any]:
    return {"num_classes": len(split.meta)}


def export_files(class_names: list[str]) -> dict[str, Any]:
    """Files written beside the artifact, and (ONNX) into its metadata under the same keys."""
    return {"labels": class_names}


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_limit(model: keras.Model) -> int | None:
    """The longest input the export serves along a dynamic dimension, if bounded: none,
    images have a fixed size."""
    return None


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: the first held-out samples."""
    return [keras.tree.flatten(take(split.x_val, slice(0, ROUND_TRIP_ROWS)))]
