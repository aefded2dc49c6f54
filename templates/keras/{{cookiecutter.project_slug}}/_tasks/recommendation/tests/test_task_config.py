from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.task import metric_names
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_task_records() -> None:
    assert set(METRIC_MODES) == {"train_loss", *(f"val_{name}" for name in metric_names(None))}


def test_the_best_checkpoint_is_the_best_ndcg_by_default() -> None:
    trainer = load_config(Config, DEFAULT).trainer
    assert (trainer.best_metric, trainer.best_mode) == ("val_ndcg", "max")
    assert (trainer.epochs, trainer.lr) == (5, 0.05)
    best = ["trainer.best_metric=val_recall", "trainer.best_mode=max"]
    assert load_config(Config, DEFAULT, best).trainer.best_metric == "val_recall"


@pytest.mark.parametrize(
    "override, key",
    [("data.num_users=1", "data.num_users"), ("data.num_items=1", "data.num_items"),
     ("data.batch_size=1", "data.batch_size"), ("data.source=''", "data.source"),
     ("model.embedding_dim=0", "model.embedding_dim"), ("model.temperature=0", "model.temperature"),
     ("model.top_k=0", "model.top_k")],
)  # fmt: skip
def test_bad_values_are_one_line(override: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as error:
        load_config(Config, DEFAULT, [override])
    assert "\n" not in str(error.value)


def test_overrides_are_typed() -> None:
    overrides = ["model.embedding_dim=64", "model.temperature=0.05", "model.top_k=20"]
    config = load_config(Config, DEFAULT, [*overrides, "data.num_users=50"])
    assert (config.model.embedding_dim, config.model.top_k, config.data.num_users) == (64, 20, 50)
    assert config.model.temperature == 0.05
