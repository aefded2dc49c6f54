"""The generative task's configuration sections, `[data]` and `[model]`, and the metrics it
records."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "per process under torchrun" %}
{% include "src/tasks/generative/sections.py" %}
