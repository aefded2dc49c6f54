"""The tabular task's configuration sections: data, model and export, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .config_io import Annotated, NonEmpty, Range

# Every metric an epoch can record beside the training loss, and which way is better; which of
# them a run records depends on its objective (accuracy and AUC, or RMSE and MAE).
METRIC_MODES = {
    "val_loss": "min",
    "val_accuracy": "max",
    "val_auc": "max",
    "val_rmse": "min",
    "val_mae": "min",
}


@dataclass
class DataConfig:
    # "synthetic" (a seeded table made in memory), or a .csv or .parquet file.
    source: Annotated[str, NonEmpty()] = "synthetic"
    target: Annotated[str, NonEmpty()] = "target"  # the column to predict
    # auto: classification for strings, booleans and a few distinct integers, else regression.
    objective: Literal["auto", "classification", "regression"] = "auto"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # The global batch: under tf.distribute it is split across replicas.
    batch_size: Annotated[int, Range(ge=1)] = 32


@dataclass
class ModelConfig:
    hidden: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [128, 64])
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1
    embedding_dim: Annotated[int, Range(ge=1)] = 8  # per categorical column


@dataclass
class ExportConfig:
    check_batch: Annotated[int, Range(ge=1)] = 8  # validation rows the export is checked on


CROSS_CHECKS = ()  # no rule spans the data and model sections
