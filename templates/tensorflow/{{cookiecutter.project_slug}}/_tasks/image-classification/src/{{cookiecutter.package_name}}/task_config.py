"""The image task's configuration sections: data, model and export, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

SYNTHETIC_CLASSES = 10  # with data.num_classes = 0
# The metrics every epoch records beside the training loss, and which way is better.
METRIC_MODES = {"val_loss": "min", "val_accuracy": "max"}


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
class ExportConfig:
    tflite: bool = False
    check_batch: Annotated[int, Range(ge=1)] = 8


def check_image_size(data: DataConfig, model: ModelConfig) -> None:
    # Every conv block halves the image with a 2x2 max-pool; below 1x1 nothing is left.
    smallest = 2 ** len(model.conv_filters)
    if data.image_size < smallest:
        raise ConfigError(
            f"data.image_size must be at least {smallest} for "
            f"{len(model.conv_filters)} conv blocks (each halves it), not {data.image_size}"
        )


CROSS_CHECKS = (check_image_size,)
