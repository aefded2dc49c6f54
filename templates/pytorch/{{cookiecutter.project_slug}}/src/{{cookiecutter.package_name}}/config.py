"""Typed configuration: every field has a default, `configs/default.toml` mirrors them.

Load it with `config_io.load_config(Config, path, ["trainer.epochs=5", ...])`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass
class DataConfig:
    # "synthetic", or a path: a folder of class sub-folders, an .npz (x, y), a .csv (label, pixels)
    source: str = "synthetic"
    num_samples: int = 2000  # synthetic data only
    image_size: int = 28
    channels: int = 1
    num_classes: int = 10
    val_fraction: float = 0.2
    batch_size: int = 64
    # 0 loads in the main process, fastest for in-memory arrays; use a few for image folders.
    num_workers: int = 0


@dataclass
class ModelConfig:
    widths: list[int] = field(default_factory=lambda: [32, 64, 128])
    dropout: float = 0.1


@dataclass
class TrainerConfig:
    epochs: int = 3
    lr: float = 3e-3
    weight_decay: float = 1e-4
    schedule: Literal["cosine", "onecycle"] = "cosine"
    warmup_fraction: float = 0.05  # of all steps; cosine schedule only
    grad_clip: float = 1.0  # max gradient norm; 0 turns clipping off
    seed: int = 0
    deterministic: bool = False
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    # auto: bf16 on CUDA GPUs that support it, else fp16 with a GradScaler; fp32 on CPU and MPS.
    mixed_precision: Literal["auto", "bf16", "fp16", "off"] = "auto"
    compile: bool = False
    output_dir: Path = Path("runs/default")


@dataclass
class ExportConfig:
    batch_size: int = 4  # sample input; the exported batch dimension stays dynamic
    dynamic_batch: bool = True
    onnx: bool = False  # needs the `onnx` extra
    atol: float = 1e-4


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
