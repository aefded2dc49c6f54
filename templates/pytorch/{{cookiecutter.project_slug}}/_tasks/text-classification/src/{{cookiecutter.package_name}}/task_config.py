"""The text task's configuration sections, `[data]` and `[model]`, and the metrics it records."""

from __future__ import annotations

from dataclasses import dataclass

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "per process under torchrun" %}
{% set pretrained_from = "Read with Hugging Face `transformers`: the `pretrained` extra." %}
{% include "src/tasks/text/sections.py" %}


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    check_heads(model)
