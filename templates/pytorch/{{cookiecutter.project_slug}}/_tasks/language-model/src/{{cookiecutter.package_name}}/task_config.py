"""The language model's configuration sections, `[data]` and `[model]`, and the metrics it
records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "per process under torchrun: windows of data.context_length tokens" %}
{% set pretrained_from = "Read with `transformers` and `peft`: the `pretrained` extra." %}
{% set pretrained_where = "A local directory or a Hugging Face hub id" %}
{% set lora_targets = 'every linear layer but the output ("all-linear" in peft)' %}
{% include "src/tasks/language/sections.py" %}
