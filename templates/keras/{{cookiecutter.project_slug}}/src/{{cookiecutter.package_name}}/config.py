"""Typed configuration: every field has a default; `configs/default.toml` and `--set` override."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config_io import load_config, save_config

__all__ = ["Config", "load_config", "save_config"]


@dataclass
class DataConfig:
    source: str = "synthetic"  # "synthetic", a folder of class sub-folders, or an .npz file
    num_samples: int = 2000  # synthetic data only
    image_size: int = 28
    channels: int = 1
    num_classes: int = 10
    val_fraction: float = 0.2
    batch_size: int = 64


@dataclass
class ModelConfig:
    filters: list[int] = field(default_factory=lambda: [32, 64, 64])
    hidden: int = 64
    dropout: float = 0.2


@dataclass
class TrainerConfig:
    epochs: int = 3
    lr: float = 1e-3
    seed: int = 0
    output_dir: Path = Path("runs/default")
    # "auto": bfloat16 compute on a GPU or TPU, full float32 on a CPU.
    mixed_precision: Literal["auto", "off", "bf16", "fp16"] = "auto"
    # "auto" lets Keras decide (XLA on TensorFlow and JAX; eager on PyTorch).
    jit_compile: Literal["auto", True, False] = "auto"
    early_stopping_patience: int = 0  # epochs without a better val_loss; 0 turns it off
    tensorboard: bool = True


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
