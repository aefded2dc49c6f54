"""The audio classifier's settings: which clips to learn, how long and at what rate, the log-mel
front end and the CNN over it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .config_io import Annotated, ConfigError, NonEmpty, Range

{% set batch_note = "the global batch: split evenly across the devices of distribute.strategy" %}
{% include "src/tasks/audio/sections.py" %}


{% include "src/keras/task_config_tail.py" %}
