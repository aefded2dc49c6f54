"""The language model's settings, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch of windows: split evenly across the devices of distribute.strategy" %}
{% include "src/tasks/language/sections.py" %}


METRICS = tuple(METRIC_MODES)  # the metrics.csv columns trainer.best_metric may name


@dataclass
class TaskConfig:
    """The task's sections of `Config`."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def validate(self) -> None:
        check_sections(self.data, self.model)
