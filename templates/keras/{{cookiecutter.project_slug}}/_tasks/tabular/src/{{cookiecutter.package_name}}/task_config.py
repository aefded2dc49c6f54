"""The tabular model's settings: which table and column to learn, and the MLP's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .config_io import Annotated, NonEmpty, Range

# What an epoch can record, and so what trainer.best_metric may name; which of the val_* metrics
# a run records follows from its objective (checked when training starts).
METRICS = ("train_loss", "val_loss", "val_accuracy", "val_auc", "val_rmse", "val_mae")


@dataclass
class DataConfig:
    source: Annotated[str, NonEmpty()] = "synthetic"  # "synthetic", a .csv or a .parquet file
    target: Annotated[str, NonEmpty()] = "target"  # the column to predict
    # "auto": classification for strings, booleans and a few distinct integers, else regression.
    objective: Literal["auto", "classification", "regression"] = "auto"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # The global batch: split evenly across the devices of distribute.strategy.
    batch_size: Annotated[int, Range(ge=1)] = 64


@dataclass
class ModelConfig:
    hidden: list[Annotated[int, Range(ge=1, le=65536)]] = field(default_factory=lambda: [128, 64])
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1
    embedding_dim: Annotated[int, Range(ge=1, le=1024)] = 8  # per categorical column


@dataclass
class TaskConfig:
    """The task's sections of `Config`."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
