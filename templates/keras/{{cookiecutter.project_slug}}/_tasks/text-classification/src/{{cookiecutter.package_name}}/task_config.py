"""The text classifier's settings: which texts to learn, how they are tokenized, and the
Transformer encoder's shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch: split evenly across the devices of distribute.strategy" %}
{% set pretrained_from = "Read with KerasHub (a preset directory or handle): the `pretrained` extra." %}
{% include "src/tasks/text/sections.py" %}


METRICS = tuple(METRIC_MODES)  # the metrics.csv columns trainer.best_metric may name


@dataclass
class TaskConfig:
    """The task's sections of `Config`."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def validate(self) -> None:
        check_heads(self.model)
