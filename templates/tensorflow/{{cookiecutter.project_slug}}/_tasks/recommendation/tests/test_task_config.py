from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_task_records():
    assert set(METRIC_MODES) == {"train_loss", *Task.val_metrics}


def test_the_best_checkpoint_is_the_best_ndcg_by_default():
    trainer = load_config(Config, DEFAULT).trainer
    assert (trainer.best_metric, trainer.best_mode) == ("val_ndcg", "max")
    assert (trainer.epochs, trainer.lr) == (5, 0.05)
    best = ["trainer.best_metric=val_recall", "trainer.best_mode=max"]
    assert load_config(Config, DEFAULT, best).trainer.best_metric == "val_recall"
    with pytest.raises(ConfigError, match=r"trainer\.best_mode = 'max'"):
        load_config(Config, DEFAULT, ["trainer.best_metric=val_loss"])


def test_overrides_are_typed():
    overrides = ["model.embedding_dim=64", "model.temperature=0.05", "model.top_k=20"]
    config = load_config(Config, DEFAULT, [*overrides, "data.num_users=50"])
    assert (config.model.embedding_dim, config.model.top_k, config.data.num_users) == (64, 20, 50)
    assert config.model.temperature == 0.05
    with pytest.raises(ConfigError, match=r"data\.batch_size"):
        load_config(Config, DEFAULT, ["data.batch_size=1"])  # no other item to tell apart
