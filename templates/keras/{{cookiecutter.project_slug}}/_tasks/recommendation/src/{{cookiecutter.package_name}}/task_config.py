"""The recommendation task's settings, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, NonEmpty, Range

{% set batch_note = "the global batch: split evenly across the devices of distribute.strategy" %}
{% include "src/tasks/recommendation/sections.py" %}


{% include "src/keras/task_config_tail.py" %}
