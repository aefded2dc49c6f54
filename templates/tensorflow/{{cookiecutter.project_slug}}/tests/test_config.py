from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config, save_config
from {{ cookiecutter.package_name }}.config_io import ConfigError

DEFAULT_TOML = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_default_toml_matches_the_dataclass_defaults():
    assert load_config(Config, DEFAULT_TOML) == Config()


def test_overrides_are_typed():
    config = load_config(
        Config,
        DEFAULT_TOML,
        [
            "trainer.epochs=5",
            "trainer.lr=1",
            "model.conv_filters=[8, 16]",
            "trainer.jit_compile=true",
        ],
    )
    assert config.trainer.epochs == 5
    assert config.trainer.lr == 1.0
    assert config.model.conv_filters == [8, 16]
    assert config.trainer.jit_compile is True
    assert isinstance(config.trainer.output_dir, Path)


@pytest.mark.parametrize(
    "override",
    [
        "trainer.epochz=1",
        "trainer.epochs=many",
        "trainer.mixed_precision=fp8",
        "distribute.strategy=tpu",
    ],
)
def test_bad_overrides_are_refused(override):
    with pytest.raises(ConfigError):
        load_config(Config, None, [override])


def test_saved_config_loads_back(tmp_path):
    config = load_config(Config, None, ["data.source=data/train", "export.tflite=true"])
    save_config(config, tmp_path / "config.toml")
    assert load_config(Config, tmp_path / "config.toml") == config
