"""The image classifier's settings: where the images come from, and the CNN's shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

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
class TaskConfig:
    """The task's sections of `Config`."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def validate(self) -> None:
        # Each block halves the image; below one pixel the model cannot be built.
        smallest = 2 ** len(self.model.filters)
        if self.data.image_size < smallest:
            raise ConfigError(
                f"data.image_size must be at least {smallest} for {len(self.model.filters)} "
                f"convolution blocks (model.filters), not {self.data.image_size}"
            )
