"""The language model's settings, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch of windows: split evenly across the devices of distribute.strategy" %}
{% set pretrained_from = "Read with KerasHub: the `pretrained` extra." %}
{% set pretrained_where = "A KerasHub preset directory or handle" %}
{% set lora_targets = "the attention's query and value projections (KerasHub's choice)" %}
{% include "src/tasks/language/sections.py" %}


{% include "src/keras/task_config_tail.py" %}
