"""Typed configuration: every field has a default; `configs/default.toml` and `--set` override.

Ranges and choices are checked as the file is read (`Annotated[..., Range(...)]`, `Literal`), and
the rules that span fields in the `validate()` methods, so a bad value stops the command with one
line before any data is loaded or any framework imported. The `data` and `model` sections are the
task's (`task_config.py`); training, runs and devices are the same for every task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import Annotated, ConfigError, NonEmpty, Range, load_config, save_config
from .runs import check_run_name
from .task_config import METRICS, TaskConfig

__all__ = ["METRICS", "Config", "load_config", "save_config"]


@dataclass
class TrainerConfig:
{% if cookiecutter.task == "recommendation" %}
    epochs: Annotated[int, Range(ge=1)] = 5
    # Embeddings want a far higher rate than dense layers: a row moves only in the steps whose
    # batch holds its id.
    lr: Annotated[float, Range(gt=0)] = 0.05
{% elif cookiecutter.task == "generative" %}
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 3e-3
{% else %}
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 1e-3
{% endif %}
    seed: Annotated[int, Range(ge=0)] = 0
    runs_dir: Annotated[Path, NonEmpty()] = Path("runs")
    run_name: str = ""  # empty: the date and time the run started
{% if cookiecutter.task == "recommendation" %}
    best_metric: str = "val_ndcg"  # the epoch kept as best.keras; one of METRICS
    best_mode: Literal["min", "max"] = "max"
{% else %}
    best_metric: str = "val_loss"  # the epoch kept as best.keras; one of METRICS
    best_mode: Literal["min", "max"] = "min"
{% endif %}
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
class Config(TaskConfig):
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)
