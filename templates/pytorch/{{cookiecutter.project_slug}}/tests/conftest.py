"""Small configurations from the task's fast settings (`sizes.py`): every test runs on the CPU in
seconds."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config

from .sizes import SMALL


def small_config(runs_dir: Path) -> Config:
    trainer = ["trainer.epochs=2", "trainer.device=cpu", f"trainer.runs_dir='{runs_dir}'"]
    return load_config(Config, None, [*SMALL, *trainer])


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
