"""The recommendation task's configuration sections: data, model and export, and the metrics it
records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, NonEmpty, Range

{% set batch_note = "the global batch: under tf.distribute it is split across replicas" %}
{% include "src/tasks/recommendation/sections.py" %}


@dataclass
class ExportConfig:
    check_batch: Annotated[int, Range(ge=1)] = 8  # held-out users the export is checked on


CROSS_CHECKS = (check_sections,)
