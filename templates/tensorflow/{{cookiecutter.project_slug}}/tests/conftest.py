from __future__ import annotations

import itertools
import signal
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import train as train_module
from {{ cookiecutter.package_name }}.config import Config, load_config

# Small and fast: 7 steps per epoch on the CPU.
SMALL = [
{% if cookiecutter.task == "recommendation" %}
    "data.num_users=45",  # 253 training pairs of 30 items
    "data.num_items=30",
{% elif cookiecutter.task == "language-model" %}
    "data.num_documents=84",  # 241 training windows of 16 tokens
    "data.vocab_size=300",
    "data.context_length=16",
    "model.dim=32",
    "model.heads=2",
    "model.layers=1",
    "model.ff_dim=64",
{% else %}
    "data.num_samples=256",
{% endif %}
    "data.batch_size=32",
    "data.val_fraction=0.1",
    "trainer.epochs=1",
    "distribute.strategy=default",
    "trainer.mixed_precision=off",
]


def small_config(runs_dir: Path, *overrides: str) -> Config:
    return load_config(Config, None, [*SMALL, f"trainer.runs_dir={runs_dir}", *overrides])


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, dict]:
    """One short training run, shared by the tests that only read its outputs."""
    config = small_config(tmp_path_factory.mktemp("runs"))
    return config, train_module.train(config)


def signal_at_step(monkeypatch: pytest.MonkeyPatch, step: int, signum: int) -> None:
    """Deliver `signum` to this process right after the `step`-th training step, as a Ctrl-C or a
    scheduler's SIGTERM would arrive."""
    make_step = train_module.make_train_step

    def make_interrupted_step(*args, **kwargs):
        train_step, calls = make_step(*args, **kwargs), itertools.count(1)

        def interrupted_step(batch):
            result = train_step(batch)
            if next(calls) == step:
                signal.raise_signal(signum)
            return result

        return interrupted_step

    monkeypatch.setattr(train_module, "make_train_step", make_interrupted_step)
