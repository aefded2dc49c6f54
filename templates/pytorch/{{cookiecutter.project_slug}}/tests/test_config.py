from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config, save_config

from .sizes import BAD_VALUES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"
# The mode the default best metric does not improve in.
WRONG_MODE = {"min": "max", "max": "min"}[Config().trainer.best_mode]


def test_default_file_matches_the_dataclass_defaults() -> None:
    assert load_config(Config, DEFAULT) == Config()


def test_overrides_are_typed() -> None:
    config = load_config(
        Config,
        DEFAULT,
        [
            "trainer.epochs=5",
            "trainer.lr=1",
            "trainer.grad_clip=0",
            "trainer.runs_dir=experiments",
            "trainer.mixed_precision=bf16",
            "trainer.best_metric=train_loss",
            "trainer.best_mode=min",
        ],
    )
    assert config.trainer.epochs == 5
    assert config.trainer.lr == 1.0 and isinstance(config.trainer.lr, float)
    assert config.trainer.grad_clip == 0.0
    assert config.trainer.runs_dir == Path("experiments")
    assert config.trainer.mixed_precision == "bf16"
    assert config.trainer.best_metric == "train_loss"


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("trainer.epoch=3", "epoch"),
        ("trainer.epochs=x", "trainer.epochs"),
        ("trainer.epochs=true", "trainer.epochs"),
        ("trainer.epochs=0", "trainer.epochs"),
        ("trainer.lr=-1", "trainer.lr"),
        ("trainer.lr=nan", "trainer.lr"),
        ("trainer.device=tpu", "trainer.device"),
        ("trainer.compile=1", "trainer.compile"),
        ("trainer.runs_dir=''", "trainer.runs_dir"),
        ("trainer.run_name=latest", "trainer.run_name"),
        ("trainer.best_metric=f1", "trainer.best_metric"),
        (f"trainer.best_mode={WRONG_MODE}", "trainer.best_mode"),
        ("data.batch_size=0", "data.batch_size"),
        ("data.val_fraction=1.0", "data.val_fraction"),
        ("model.dropout=1.5", "model.dropout"),
        ("export.atol=0", "export.atol"),
        ("data=1", "data"),
        *BAD_VALUES,  # the task's own sections
    ],
)
def test_bad_values_are_refused_in_one_line_naming_the_key(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(Config, DEFAULT, [override])
    message = str(error.value)
    assert key in message and "\n" not in message


def test_saved_config_loads_back(tmp_path: Path) -> None:
    config = load_config(Config, DEFAULT, ["trainer.epochs=7", "trainer.seed=3"])
    save_config(config, tmp_path / "config.toml")
    assert load_config(Config, tmp_path / "config.toml") == config
