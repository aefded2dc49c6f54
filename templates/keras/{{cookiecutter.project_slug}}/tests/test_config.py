from pathlib import Path

import keras
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.utils import place

DEFAULTS = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_default_file_matches_the_dataclasses() -> None:
    assert load_config(Config, DEFAULTS) == Config()


def test_overrides() -> None:
    cfg = load_config(
        Config,
        DEFAULTS,
        [
            "trainer.epochs=5",
            "trainer.lr=0.01",
            "trainer.jit_compile=false",
            "model.filters=[8, 16]",
        ],
    )
    assert (cfg.trainer.epochs, cfg.trainer.lr, cfg.trainer.jit_compile) == (5, 0.01, False)
    assert cfg.model.filters == [8, 16]


@pytest.mark.parametrize(
    "override", ["trainer.epoch=2", "trainer.epochs=two", "distribute.strategy=ddp"]
)
def test_bad_overrides_are_refused(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(Config, None, [override])


def test_unsupported_strategy_is_refused() -> None:
    wrong = "mirrored" if keras.backend.backend() != "tensorflow" else "data_parallel"
    with pytest.raises(ConfigError, match="needs the"):
        place(wrong)
