from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config, save_config

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_default_file_matches_the_dataclass_defaults() -> None:
    assert load_config(Config, DEFAULT) == Config()


def test_overrides_are_typed() -> None:
    config = load_config(
        Config,
        DEFAULT,
        [
            "trainer.epochs=5",
            "trainer.lr=1",
            "model.widths=[8, 16]",
            "trainer.grad_clip=0",
            "trainer.output_dir=runs/other",
            "trainer.mixed_precision=bf16",
        ],
    )
    assert config.trainer.epochs == 5
    assert config.trainer.lr == 1.0 and isinstance(config.trainer.lr, float)
    assert config.model.widths == [8, 16]
    assert config.trainer.grad_clip == 0.0
    assert config.trainer.output_dir == Path("runs/other")
    assert config.trainer.mixed_precision == "bf16"


@pytest.mark.parametrize(
    "override",
    ["trainer.epoch=3", "trainer.epochs=x", "trainer.device=tpu", "trainer.compile=1", "data=1"],
)
def test_bad_overrides_are_refused(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(Config, DEFAULT, [override])


def test_saved_config_loads_back(tmp_path: Path) -> None:
    config = load_config(Config, DEFAULT, ["trainer.epochs=7", "model.widths=[8]"])
    save_config(config, tmp_path / "config.toml")
    assert load_config(Config, tmp_path / "config.toml") == config
