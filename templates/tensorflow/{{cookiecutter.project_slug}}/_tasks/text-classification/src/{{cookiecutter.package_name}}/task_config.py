"""The text task's configuration sections: data, model and export, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch: under tf.distribute it is split across replicas" %}
{% include "src/tasks/text/sections.py" %}


@dataclass
class ExportConfig:
    check_batch: Annotated[int, Range(ge=1)] = 8  # held-out texts the export is checked on


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    check_heads(model)


CROSS_CHECKS = (check_sections,)
