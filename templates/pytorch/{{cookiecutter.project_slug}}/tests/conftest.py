"""Small, fast settings: every test here runs on the CPU in seconds."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config


def small_config(runs_dir: Path) -> Config:
    config = Config()
    config.data.num_samples = 192
    config.data.batch_size = 32
    config.model.widths = [8, 16]
    config.trainer.epochs = 2
    config.trainer.device = "cpu"
    config.trainer.runs_dir = runs_dir
    return config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return small_config(tmp_path / "runs")


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    """One short run shared by the tests that only read it: its configuration and directory."""
    from {{ cookiecutter.package_name }}.train import train

    config = small_config(tmp_path_factory.mktemp("trained"))
    result = train(config)
    return copy.deepcopy(config), Path(result["run_dir"])
