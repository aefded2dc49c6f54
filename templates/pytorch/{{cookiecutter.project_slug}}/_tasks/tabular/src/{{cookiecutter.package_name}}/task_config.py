"""The tabular task's configuration sections, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .config_io import Annotated, NonEmpty, Range

# What an epoch can record, and the direction each improves in: `table.METRIC_MODES`, repeated
# here because `table` imports pandas, and loading a config (even for `--help`) should not.
METRIC_MODES = {"train_loss": "min", "val_loss": "min"}
METRIC_MODES |= {"val_accuracy": "max", "val_auc": "max", "val_rmse": "min", "val_mae": "min"}


@dataclass
class DataConfig:
    # "synthetic" (a seeded table made in memory), or a .csv or .parquet file
    source: Annotated[str, NonEmpty()] = "synthetic"
    target: Annotated[str, NonEmpty()] = "target"  # the column to predict; the rest are features
    # auto: classification for text, booleans and a few distinct integers, else regression
    objective: Literal["auto", "classification", "regression"] = "auto"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    batch_size: Annotated[int, Range(ge=1)] = 64  # per process under torchrun


@dataclass
class ModelConfig:
    hidden: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [128, 64])
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1
    embedding_dim: Annotated[int, Range(ge=1)] = 8  # per categorical column


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """Nothing spans the two sections of a table: any network reads any table."""
