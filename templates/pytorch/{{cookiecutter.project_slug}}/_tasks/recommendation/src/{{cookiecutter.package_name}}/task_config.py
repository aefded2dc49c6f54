"""The recommendation task's configuration sections, `[data]` and `[model]`, and the metrics it
records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, NonEmpty, Range

{% set batch_note = "per process under torchrun" %}
{% include "src/tasks/recommendation/sections.py" %}
