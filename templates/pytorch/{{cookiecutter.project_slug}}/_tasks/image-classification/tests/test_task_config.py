from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_data_and_model_overrides_are_typed() -> None:
    overrides = [
        "model.widths=[8, 16]",
        "data.num_classes=4",
        "trainer.best_metric=val_accuracy",
        "trainer.best_mode=max",
    ]
    config = load_config(Config, DEFAULT, overrides)
    assert config.model.widths == [8, 16]
    assert config.data.num_classes == 4
    assert config.trainer.best_metric == "val_accuracy"


def test_image_size_is_checked_against_the_depth_of_the_model() -> None:
    load_config(Config, DEFAULT, ["data.image_size=4", "model.widths=[8, 8, 8]"])
    with pytest.raises(ConfigError, match=r"data.image_size must be >= 8"):
        load_config(Config, DEFAULT, ["data.image_size=4", "model.widths=[8, 8, 8, 8]"])
