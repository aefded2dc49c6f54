"""Typed configuration: every field has a default; `configs/default.toml` and `--set` override.

Ranges and choices are checked as the file is read (`Annotated[..., Range(...)]`, `Literal`), and
the rules that span fields in the `validate()` methods, so a bad value stops the command with one
line before any data is loaded or any framework imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import Annotated, ConfigError, NonEmpty, Range, load_config, save_config
from .runs import check_run_name

__all__ = ["METRICS", "Config", "load_config", "save_config"]

# What every epoch records (metrics.csv columns), and so what trainer.best_metric may name.
METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
CHANNELS = (1, 3, 4)  # grayscale, RGB, RGBA


@dataclass
class DataConfig:
    source: Annotated[str, NonEmpty()] = "synthetic"  # "synthetic", a folder or an .npz file
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    image_size: Annotated[int, Range(ge=1, le=4096)] = 28
    channels: Annotated[int, Range(ge=1, le=4)] = 1
    # None: from the data (class folders, or the largest label of an .npz); 10 for synthetic.
    num_classes: Annotated[int, Range(ge=2)] | None = None
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # The global batch: split evenly across the devices of distribute.strategy.
    batch_size: Annotated[int, Range(ge=1)] = 64

    def validate(self) -> None:
        if self.channels not in CHANNELS:
            raise ConfigError(f"data.channels must be 1, 3 or 4, not {self.channels}")


@dataclass
class ModelConfig:
    filters: list[Annotated[int, Range(ge=1, le=4096)]] = field(
        default_factory=lambda: [32, 64, 64]
    )
    hidden: Annotated[int, Range(ge=1)] = 64
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.2


@dataclass
class TrainerConfig:
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 1e-3
    seed: Annotated[int, Range(ge=0)] = 0
    runs_dir: Annotated[Path, NonEmpty()] = Path("runs")
    run_name: str = ""  # empty: the date and time the run started
    best_metric: str = "val_loss"  # the epoch kept as best.keras; one of METRICS
    best_mode: Literal["min", "max"] = "min"
    # "auto": bfloat16 compute on a GPU or TPU, full float32 on a CPU.
    mixed_precision: Literal["auto", "off", "bf16", "fp16"] = "auto"
    # "auto" lets Keras decide (XLA on TensorFlow and JAX; eager on PyTorch).
    jit_compile: Literal["auto", True, False] = "auto"
    early_stopping_patience: Annotated[int, Range(ge=0)] = 0  # epochs without a better best
    tensorboard: bool = True

    def validate(self) -> None:
        if self.run_name:
            check_run_name(self.run_name)
        if self.best_metric not in METRICS:
            raise ConfigError(
                f"trainer.best_metric must be one of {', '.join(METRICS)}, not {self.best_metric!r}"
            )


@dataclass
class DistributeConfig:
    # "auto": data_parallel on JAX with more than one device, mirrored on TensorFlow with more
    # than one GPU, otherwise a single device. See the README for what is not supported.
    strategy: Literal["auto", "none", "data_parallel", "mirrored"] = "auto"


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)

    def validate(self) -> None:
        # Each block halves the image; below one pixel the model cannot be built.
        smallest = 2 ** len(self.model.filters)
        if self.data.image_size < smallest:
            raise ConfigError(
                f"data.image_size must be at least {smallest} for {len(self.model.filters)} "
                f"convolution blocks (model.filters), not {self.data.image_size}"
            )
