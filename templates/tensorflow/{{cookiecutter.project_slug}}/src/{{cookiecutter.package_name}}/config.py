"""Typed configuration: every field has a default; `configs/default.toml` mirrors them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import load_config, save_config

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


@dataclass
class DataConfig:
    # "synthetic", a folder of class sub-folders, an .npz file, a .tfrecord file or folder of them.
    source: str = "synthetic"
    num_samples: int = 2000
    image_size: int = 28
    channels: int = 1
    num_classes: int = 10
    val_fraction: float = 0.1
    # The global batch: under tf.distribute it is split across replicas.
    batch_size: int = 64
    shuffle_buffer: int = 10_000
    # Keep decoded samples in memory after the first epoch; turn off for data sets larger than RAM.
    cache: bool = True


@dataclass
class ModelConfig:
    conv_filters: list[int] = field(default_factory=lambda: [16, 32])
    hidden_units: int = 64
    dropout: float = 0.1


@dataclass
class TrainerConfig:
    epochs: int = 3
    lr: float = 1e-3
    weight_decay: float = 1e-4
    lr_schedule: Literal["cosine", "constant"] = "cosine"
    seed: int = 0
    output_dir: Path = Path("runs/default")
    mixed_precision: Literal["auto", "mixed_bfloat16", "mixed_float16", "off"] = "auto"
    # XLA-compile the per-replica step; pays off on GPUs and TPUs, rarely on CPU.
    jit_compile: bool = False
    keep_last: int = 2


@dataclass
class DistributeConfig:
    # auto: multi_worker when TF_CONFIG is set, mirrored with more than one GPU, else default.
    strategy: Literal["auto", "default", "mirrored", "multi_worker"] = "auto"


@dataclass
class ExportConfig:
    # Empty: <trainer.output_dir>/export.
    dir: Path | None = None
    tflite: bool = False
    check_batch: int = 8


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
