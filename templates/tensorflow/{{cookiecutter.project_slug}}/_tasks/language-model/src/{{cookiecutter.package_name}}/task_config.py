"""The language model's configuration sections, `[data]`, `[model]` and `[export]`, and the
metrics it records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch of windows: under tf.distribute it is split across replicas" %}
{% include "src/tasks/language/sections.py" %}


@dataclass
class ExportConfig:
    check_batch: Annotated[int, Range(ge=1)] = 4  # held-out windows the export is checked on


CROSS_CHECKS = (check_sections,)
