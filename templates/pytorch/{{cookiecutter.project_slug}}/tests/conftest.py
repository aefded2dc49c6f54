"""Small, fast settings: every test here runs on the CPU in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config


def small_config(output_dir: Path) -> Config:
    config = Config()
    config.data.num_samples = 192
    config.data.batch_size = 32
    config.trainer.epochs = 1
    config.trainer.device = "cpu"
    config.trainer.output_dir = output_dir
    return config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return small_config(tmp_path / "run")


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """One short run shared by the tests that only read it."""
    from {{ cookiecutter.package_name }}.train import train

    config = small_config(tmp_path_factory.mktemp("trained"))
    train(config)
    return config
