from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config


def _small_config(output_dir: Path) -> Config:
    """A configuration small enough for a CPU test: 256 samples, one epoch."""
    cfg = Config()
    cfg.data.num_samples = 256
    cfg.data.batch_size = 32
    cfg.trainer.epochs = 1
    cfg.trainer.output_dir = output_dir
    cfg.trainer.mixed_precision = "off"
    return cfg


@pytest.fixture(scope="session")
def small_config() -> Callable[[Path], Config]:
    return _small_config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return _small_config(tmp_path / "run")
