"""The generative task's configuration sections, `[data]`, `[model]` and `[export]`, and the
metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch: under tf.distribute it is split across replicas" %}
{% include "src/tasks/generative/sections.py" %}


@dataclass
class ExportConfig:
    check_batch: Annotated[int, Range(ge=1)] = 8  # codes from the prior the export is checked on


CROSS_CHECKS = (check_sections,)
