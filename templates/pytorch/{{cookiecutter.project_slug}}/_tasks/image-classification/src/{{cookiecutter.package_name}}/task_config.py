"""The image task's configuration sections, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

# What each epoch records (metrics.csv, TensorBoard), and which of them can choose the best
# checkpoint with which mode.
METRIC_MODES = {"val_loss": "min", "val_accuracy": "max", "train_loss": "min"}
SYNTHETIC_CLASSES = 10


@dataclass
class DataConfig:
    # "synthetic", or a path: a folder of class sub-folders, an .npz (x, y), a .csv (label, pixels)
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    image_size: Annotated[int, Range(ge=4, le=4096)] = 28
    channels: Annotated[int, Range(ge=1)] = 1
    # Unset: taken from the data (its class folders, its label names, else the largest label + 1;
    # 10 for synthetic data). Set it when some classes are missing from integer-labelled data.
    num_classes: Annotated[int, Range(ge=2)] | None = None
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    batch_size: Annotated[int, Range(ge=1)] = 64  # per process under torchrun
    # Image folders only: processes that decode images ahead of the step (0: the main process).
    # In-memory arrays are batched on the device and need none.
    num_workers: Annotated[int, Range(ge=0)] = 0


@dataclass
class ModelConfig:
    widths: list[Annotated[int, Range(ge=1)]] = field(default_factory=lambda: [32, 64, 128])
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1

    def validate(self) -> None:
        if not self.widths:
            raise ConfigError("model.widths must list at least one width, e.g. [32, 64]")


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """Every block after the first halves the image (floor); the last must keep one pixel."""
    smallest = 2 ** (len(model.widths) - 1)
    if data.image_size < smallest:
        raise ConfigError(
            f"data.image_size must be >= {smallest} for {len(model.widths)} blocks "
            f"(model.widths), not {data.image_size}"
        )
