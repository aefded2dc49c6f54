from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.corpus import METRIC_MODES
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES as CONFIG_METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_task_records() -> None:
    assert CONFIG_METRIC_MODES == METRIC_MODES


def test_heads_must_divide_the_width() -> None:
    with pytest.raises(ConfigError, match=r"model\.heads") as caught:
        load_config(Config, DEFAULT, ["model.dim=30", "model.heads=4"])
    assert "\n" not in str(caught.value)
