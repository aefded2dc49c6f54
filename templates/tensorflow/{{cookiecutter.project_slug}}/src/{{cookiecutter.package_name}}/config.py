"""Typed configuration: every field has a default; `configs/default.toml` mirrors them.

Types and ranges are checked when the file and the `--set` overrides are loaded, and each section's
`validate()` checks the rules that span fields, so a bad value fails in one line before TensorFlow
is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import Annotated, ConfigError, NonEmpty, Range, load_config, save_config
from .runs import check_run_name

__all__ = [
    "Config",
    "DataConfig",
    "DistributeConfig",
    "ExportConfig",
    "ModelConfig",
    "TrainerConfig",
    "load_config",
    "save_config",
]

SYNTHETIC_CLASSES = 10  # with data.num_classes = 0


@dataclass
class DataConfig:
    # "synthetic", a folder of class sub-folders, an .npz file, a .tfrecord file or folder of them.
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    image_size: Annotated[int, Range(ge=1)] = 28
    channels: int = 1
    # 0: from the data (class sub-folders, `class_names` in an .npz, else the largest label + 1;
    # synthetic data makes 10). Any other value must agree with the data.
    num_classes: Annotated[int, Range(ge=0)] = 0
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.1
    # The global batch: under tf.distribute it is split across replicas.
    batch_size: Annotated[int, Range(ge=1)] = 64
    shuffle_buffer: Annotated[int, Range(ge=1)] = 10_000
    # Keep decoded samples in memory after the first epoch; turn off for data sets larger than RAM.
    cache: bool = True

    def validate(self) -> None:
        if self.channels not in (1, 3):
            raise ConfigError(f"data.channels must be 1 or 3, not {self.channels}")
        if self.num_classes == 1:
            raise ConfigError("data.num_classes must be 0 (from the data) or at least 2, not 1")


@dataclass
class ModelConfig:
    conv_filters: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [16, 32])
    hidden_units: Annotated[int, Range(ge=1)] = 64
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1


@dataclass
class TrainerConfig:
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 1e-3
    weight_decay: Annotated[float, Range(ge=0)] = 1e-4
    lr_schedule: Literal["cosine", "constant"] = "cosine"
    seed: Annotated[int, Range(ge=0, lt=2**31)] = 0
    runs_dir: Annotated[Path, NonEmpty()] = Path("runs")
    run_name: str = ""  # empty: a timestamp
    # The checkpoint kept as "best", and whether lower or higher of that metric is better.
    best_metric: Literal["val_loss", "val_accuracy"] = "val_loss"
    best_mode: Literal["min", "max"] = "min"
    mixed_precision: Literal["auto", "mixed_bfloat16", "mixed_float16", "off"] = "auto"
    # XLA-compile the per-replica step; pays off on GPUs and TPUs, rarely on CPU.
    jit_compile: bool = False
    keep_last: Annotated[int, Range(ge=1)] = 2

    def validate(self) -> None:
        if self.run_name:
            check_run_name(self.run_name)
        natural = "min" if self.best_metric == "val_loss" else "max"
        if self.best_mode != natural:
            raise ConfigError(
                f"trainer.best_mode = {self.best_mode!r} would keep the worst checkpoint by "
                f"{self.best_metric}; use trainer.best_mode = {natural!r}"
            )


@dataclass
class DistributeConfig:
    # auto: multi_worker when TF_CONFIG is set, mirrored with more than one GPU, else default.
    strategy: Literal["auto", "default", "mirrored", "multi_worker"] = "auto"


@dataclass
class ExportConfig:
    tflite: bool = False
    check_batch: Annotated[int, Range(ge=1)] = 8


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)
    export: ExportConfig = field(default_factory=ExportConfig)

    def validate(self) -> None:
        # Every conv block halves the image with a 2x2 max-pool; below 1x1 nothing is left.
        smallest = 2 ** len(self.model.conv_filters)
        if self.data.image_size < smallest:
            raise ConfigError(
                f"data.image_size must be at least {smallest} for "
                f"{len(self.model.conv_filters)} conv blocks (each halves it), "
                f"not {self.data.image_size}"
            )
