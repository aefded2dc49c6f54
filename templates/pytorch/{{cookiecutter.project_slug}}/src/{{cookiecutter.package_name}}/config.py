"""Typed configuration: the training and export sections, composed with the task's `[data]` and
`[model]` (`task_config.py`). Every field has a default, `configs/default.toml` mirrors them.

Values are checked as they load (`config_io.load_config`): types, ranges and choices on each field,
and the rules that span fields in the `validate()` methods, so a bad value fails before any work
starts, in one line that names the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import Annotated, ConfigError, NonEmpty, Range
from .runs import check_run_name
from .task_config import METRIC_MODES, DataConfig, ModelConfig, check_sections


@dataclass
class TrainerConfig:
{% if cookiecutter.task == "recommendation" %}
    epochs: Annotated[int, Range(ge=1)] = 5
    # Embeddings want a far higher rate than dense layers: a row moves only in the steps whose
    # batch holds its id.
    lr: Annotated[float, Range(gt=0)] = 0.05
{% else %}
    epochs: Annotated[int, Range(ge=1)] = 3
    lr: Annotated[float, Range(gt=0)] = 3e-3
{% endif %}
    weight_decay: Annotated[float, Range(ge=0)] = 1e-4
    schedule: Literal["cosine", "onecycle"] = "cosine"
    warmup_fraction: Annotated[float, Range(ge=0, lt=1)] = 0.05  # of all steps; cosine only
    grad_clip: Annotated[float, Range(ge=0)] = 1.0  # max gradient norm; 0 turns clipping off
    seed: Annotated[int, Range(ge=0)] = 0
    deterministic: bool = False
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    # auto: bf16 on CUDA GPUs with native bf16, else fp16 with a GradScaler; fp32 on CPU and MPS.
    mixed_precision: Literal["auto", "bf16", "fp16", "off"] = "auto"
    compile: bool = False
    runs_dir: Annotated[Path, NonEmpty()] = Path("runs")
    run_name: str = ""  # empty: a timestamp
{% if cookiecutter.task == "recommendation" %}
    best_metric: str = "val_ndcg"  # the epoch kept as best.pt
    best_mode: Literal["min", "max"] = "max"
{% else %}
    best_metric: str = "val_loss"  # the epoch kept as best.pt
    best_mode: Literal["min", "max"] = "min"
{% endif %}
    # Also write last.pt every this many steps inside an epoch (0: at epoch ends only), so that a
    # job killed without warning loses at most that many steps.
    checkpoint_every_steps: Annotated[int, Range(ge=0)] = 0

    def validate(self) -> None:
        if self.run_name:
            check_run_name(self.run_name)
        if self.best_metric not in METRIC_MODES:
            allowed = ", ".join(map(repr, METRIC_MODES))
            raise ConfigError(
                f"trainer.best_metric must be one of {allowed}, not {self.best_metric!r}"
            )
        expected = METRIC_MODES[self.best_metric]
        if self.best_mode != expected:
            raise ConfigError(
                f"trainer.best_mode must be {expected!r} for trainer.best_metric = "
                f"{self.best_metric!r}, not {self.best_mode!r}"
            )


@dataclass
class ExportConfig:
    batch_size: Annotated[int, Range(ge=1, le=4096)] = 4  # the example; the batch stays dynamic
    dynamic_batch: bool = True
    onnx: bool = False  # needs the `onnx` extra
    atol: Annotated[float, Range(gt=0)] = 1e-4


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    export: ExportConfig = field(default_factory=ExportConfig)

    def validate(self) -> None:
        check_sections(self.data, self.model)
