from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config

# Small and fast: one short epoch on the CPU.
SMALL = [
    "data.num_samples=256",
    "data.batch_size=32",
    "trainer.epochs=1",
    "distribute.strategy=default",
    "trainer.mixed_precision=off",
]


def small_config(output_dir: Path, *overrides: str) -> Config:
    return load_config(Config, None, [*SMALL, f"trainer.output_dir={output_dir}", *overrides])


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, dict]:
    """One short training run, shared by the tests that only read its outputs."""
    from {{ cookiecutter.package_name }}.train import train

    config = small_config(tmp_path_factory.mktemp("run") / "run")
    return config, train(config)
