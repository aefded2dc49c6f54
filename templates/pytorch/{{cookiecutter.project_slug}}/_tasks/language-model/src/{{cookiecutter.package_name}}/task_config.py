"""The language model's configuration sections, `[data]` and `[model]`, and the metrics it
records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "per process under torchrun: windows of data.context_length tokens" %}
{% include "src/tasks/language/sections.py" %}
