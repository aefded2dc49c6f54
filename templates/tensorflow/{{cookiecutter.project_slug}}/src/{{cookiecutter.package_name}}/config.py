"""Typed configuration: every field has a default; `configs/default.toml` mirrors them.

The `data`, `model` and `export` sections belong to the task (`task_config.py`); the training
loop's own sections are here. Types and ranges are checked when the file and the `--set`
overrides are loaded, and each section's `validate()` checks the rules that span fields, so a bad
value fails in one line before TensorFlow is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import Annotated, ConfigError, NonEmpty, Range, load_config, save_config
from .runs import check_run_name
from .task_config import CROSS_CHECKS, METRIC_MODES, DataConfig, ExportConfig, ModelConfig

__all__ = [
    "Config",
    "DataConfig",
    "DistributeConfig",
    "ExportConfig",
    "ModelConfig",
    "TrainerConfig",
    "check_best_metric",
    "load_config",
    "save_config",
]


@dataclass
class TrainerConfig:
{% if cookiecutter.task == "recommendation" %}
    epochs: Annotated[int, Range(ge=1)] = 5
    # Embeddings want a far higher rate than dense layers: a row moves only in the steps whose
    # batch holds its id.
    lr: Annotated[float, Range(gt=0)] = 0.05
{% elif cookiecutter.task == "generative" %}
    epochs: Annotated[int, Range(ge=1)] = 3
    # A VAE without normalisation layers takes a higher rate than the classifiers' in its few
    # epochs; the cosine brings it down.
    lr: Annotated[float, Range(gt=0)] = 3e-3
{% else %}
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 1e-3
{% endif %}
    weight_decay: Annotated[float, Range(ge=0)] = 1e-4
    lr_schedule: Literal["cosine", "constant"] = "cosine"
    seed: Annotated[int, Range(ge=0, lt=2**31)] = 0
    runs_dir: Annotated[Path, NonEmpty()] = Path("runs")
    run_name: str = ""  # empty: a timestamp
    # The checkpoint kept as "best", and whether lower or higher of that metric is better.
{% if cookiecutter.task == "recommendation" %}
    best_metric: Annotated[str, NonEmpty()] = "val_ndcg"
    best_mode: Literal["min", "max"] = "max"
{% else %}
    best_metric: Annotated[str, NonEmpty()] = "val_loss"
    best_mode: Literal["min", "max"] = "min"
{% endif %}
    mixed_precision: Literal["auto", "mixed_bfloat16", "mixed_float16", "off"] = "auto"
    # XLA-compile the per-replica step; pays off on GPUs and TPUs, rarely on CPU.
    jit_compile: bool = False
    keep_last: Annotated[int, Range(ge=1)] = 2
    # Also checkpoint every this many steps inside an epoch (0: at epoch ends only), so that a job
    # killed without warning loses at most that many steps.
    checkpoint_every_steps: Annotated[int, Range(ge=0)] = 0

    def validate(self) -> None:
        if self.run_name:
            check_run_name(self.run_name)
        natural = METRIC_MODES.get(self.best_metric)
        if natural is None:
            raise ConfigError(
                f"trainer.best_metric = {self.best_metric!r} is not a metric of this task; "
                f"choose one of {', '.join(METRIC_MODES)}"
            )
        if self.best_mode != natural:
            raise ConfigError(
                f"trainer.best_mode = {self.best_mode!r} would keep the worst checkpoint by "
                f"{self.best_metric}; use trainer.best_mode = {natural!r}"
            )


def check_best_metric(best_metric: str, recorded: list[str]) -> None:
    """The best metric must be one this run records (some depend on the data, e.g. its target)."""
    if best_metric not in recorded:
        raise ConfigError(
            f"trainer.best_metric = {best_metric!r} is not recorded for this data; "
            f"choose one of {', '.join(recorded)}"
        )


@dataclass
class DistributeConfig:
    # auto: multi_worker when TF_CONFIG is set, mirrored with more than one GPU, else default.
    strategy: Literal["auto", "default", "mirrored", "multi_worker"] = "auto"


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)
    export: ExportConfig = field(default_factory=ExportConfig)

    def validate(self) -> None:
        for check in CROSS_CHECKS:
            check(self.data, self.model)
