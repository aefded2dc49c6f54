from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_task_records() -> None:
    assert set(METRIC_MODES) == {"train_loss", *Task.metric_names.fget(None)}  # type: ignore[attr-defined]


def test_the_best_checkpoint_is_the_lowest_validation_loss_by_default() -> None:
    trainer = load_config(Config, DEFAULT).trainer
    assert (trainer.best_metric, trainer.best_mode) == ("val_loss", "min")


def test_overrides_are_typed() -> None:
    config = load_config(Config, DEFAULT, ["data.context_length=128", "model.dropout=0.1"])
    assert config.data.context_length == 128 and config.model.dropout == 0.1
