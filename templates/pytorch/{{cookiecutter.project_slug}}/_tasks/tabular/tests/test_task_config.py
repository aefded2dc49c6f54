from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.table import METRIC_MODES
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES as CONFIG_METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_table_records() -> None:
    assert CONFIG_METRIC_MODES == METRIC_MODES


def test_data_and_model_overrides_are_typed() -> None:
    overrides = [
        "data.objective=regression",
        "data.target=price",
        "model.hidden=[32]",
        "model.embedding_dim=4",
        "trainer.best_metric=val_mae",
    ]
    config = load_config(Config, DEFAULT, overrides)
    assert config.data.objective == "regression" and config.data.target == "price"
    assert config.model.hidden == [32] and config.model.embedding_dim == 4
    assert config.trainer.best_metric == "val_mae"
