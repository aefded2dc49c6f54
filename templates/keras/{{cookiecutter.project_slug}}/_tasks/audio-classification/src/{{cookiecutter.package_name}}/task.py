"""What makes this an audio classifier for the common training code: the run's class names, the
loss, the epoch scores and the baseline to beat, and what goes with an export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .data import Split, load_split
from .errors import ConfigError, ProjectError
from .losses import cross_entropy
from .precision import backend
from .scores import majority_baseline
from .scores import score as class_score
from .task_config import DataConfig

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_CLIPS = 16  # held-out clips the export is checked on
META_FILE = "classes.json"  # the class names in label order, saved with every run


def write_meta(run: Path, class_names: list[str]) -> None:
    (Path(run) / META_FILE).write_text(json.dumps(class_names, indent=1) + "\n", encoding="utf-8")


def read_meta(run: Path) -> list[str]:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    return json.loads(path.read_text(encoding="utf-8"))


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on."""
    return load_split(config.data, seed)


def run_split(data: DataConfig, seed: int, trained_on: list[str]) -> Split:
    """The split as the run's model reads it: the clips loaded again, refused (one line) if their
    classes are not the ones the run was trained on."""
    split = load_split(data, seed)
    if split.meta != trained_on:
        raise ConfigError(
            f"data.source {data.source!r} has the classes {', '.join(split.meta)}, the run was "
            f"trained on {', '.join(trained_on)}; use the data the run was trained with"
        )
    return split


def loss(class_names: list[str]) -> keras.losses.Loss:
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_metrics(class_names: list[str]) -> list[keras.metrics.Metric]:
    return []  # the validation scores say more, computed on every held-out clip


def metric_names(class_names: list[str]) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "accuracy", "macro_f1"]


def score(logits: np.ndarray, y: np.ndarray, class_names: list[str]) -> dict[str, float]:
    """Mean cross-entropy, accuracy and macro-F1 over every held-out clip, in float64."""
    return {"loss": cross_entropy(logits, y), **class_score(logits, y)}


def summary(split: Split) -> dict[str, Any]:
    classes = split.meta
    baselines = {"majority": majority_baseline(split.y_train, split.y_val, len(classes))}
    return {"num_classes": len(classes), "classes": classes, "baselines": baselines}


def export_files(class_names: list[str]) -> dict[str, Any]:
    """Files written beside the artifact."""
    return {"labels": class_names}


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_limit(model: keras.Model) -> int | None:
    """None: a clip has a fixed length. On the PyTorch backend the export is refused before
    anything is written: `ops.stft` is a complex `torch.stft` there, which the exporter Keras uses
    for ONNX with a dynamic batch (TorchScript) cannot trace."""
    if backend() == "torch":
        raise ProjectError(
            "export is not available for the audio model on the PyTorch backend: Keras's ONNX "
            "exporter cannot trace its complex STFT; train on the TensorFlow or JAX backend to "
            "export a SavedModel"
        )
    return None


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: held-out clips at two batch sizes."""
    clips = split.x_val[:ROUND_TRIP_CLIPS]
    return [[clips], [clips[:3]]]
