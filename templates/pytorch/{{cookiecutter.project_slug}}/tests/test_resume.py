"""An interrupted and resumed run ends exactly where an unbroken run ends.

Every piece of the restore matters here: the weights, the optimizer's moments, the schedule's step
count, the random generators (dropout), the shuffle order of each epoch, the position inside the
epoch and the running loss of the partial epoch. Leave any of them out and these tests fail.
"""

from __future__ import annotations

import copy
import csv
import os
import signal
from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }} import loop
from {{ cookiecutter.package_name }}.checkpoint import LAST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.errors import Interrupted
from {{ cookiecutter.package_name }}.train import train

from .sizes import TINY
from .sizes import TINY_STEPS_PER_EPOCH as STEPS_PER_EPOCH


def tiny_config(runs_dir: Path, precision: str = "off") -> Config:
    """Three short epochs, with a warmup that spans the first and dropout: the resume tests."""
    trainer = [
        *("trainer.epochs=3", "trainer.warmup_fraction=0.25", "trainer.device=cpu"),
        *(f"trainer.runs_dir='{runs_dir}'", f"trainer.mixed_precision={precision}"),
    ]
    return load_config(Config, None, [*TINY, *trainer])


def history(run: Path) -> list[dict[str, float]]:
    with (run / "metrics.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [{k: float(v) for k, v in r.items() if k != "samples_per_s"} for r in rows]


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The uninterrupted run of each precision, made when a test first asks for it."""

    class Runs(dict):
        def __missing__(self, precision: str) -> Path:
            runs_dir = tmp_path_factory.mktemp(f"unbroken-{precision}")
            self[precision] = Path(train(tiny_config(runs_dir, precision))["run_dir"])
            return self[precision]

    return Runs()


def signal_after(monkeypatch: pytest.MonkeyPatch, steps: int, signum: int) -> None:
    """Deliver a real signal to this process in the middle of training step `steps`."""
    real_step, count = loop.train_step, [0]

    def step(*args, **kwargs):
        count[0] += 1
        if count[0] == steps:
            os.kill(os.getpid(), signum)
        return real_step(*args, **kwargs)

    monkeypatch.setattr(loop, "train_step", step)


@pytest.mark.parametrize(
    ("steps", "signum", "precision"),
    [
        (2, signal.SIGINT, "off"),  # inside the first epoch
        (STEPS_PER_EPOCH, signal.SIGTERM, "off"),  # its last step, before validation
        (STEPS_PER_EPOCH + 3, signal.SIGINT, "off"),  # inside the second epoch
        (STEPS_PER_EPOCH + 3, signal.SIGTERM, "fp16"),  # autocast and a gradient scaler
    ],
)
def test_interrupted_and_resumed_equals_unbroken(
    unbroken: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    steps: int,
    signum: int,
    precision: str,
) -> None:
    config = tiny_config(tmp_path, precision)
    signal_after(monkeypatch, steps, signum)
    with pytest.raises(Interrupted) as stopped:
        train(copy.deepcopy(config))
    assert stopped.value.exit_code == 128 + signum
    run = config.trainer.runs_dir / "latest"
    progress = load_checkpoint(run / LAST)["progress"]
    assert divmod(steps, STEPS_PER_EPOCH) in [
        (progress["epoch"], progress["step"]),
        (progress["epoch"] + 1, progress["step"] - STEPS_PER_EPOCH),
    ]
    monkeypatch.undo()

    result = train(copy.deepcopy(config), resume=run.resolve())
    assert result["epochs_completed"] == 3
    expected, got = history(unbroken[precision]), history(run)
    assert [r["epoch"] for r in got] == [1, 2, 3]
    for want, have in zip(expected, got, strict=True):
        assert have == pytest.approx(want, rel=1e-6, abs=1e-7)
    final, reference = load_checkpoint(run / LAST), load_checkpoint(unbroken[precision] / LAST)
    for name, tensor in reference["model"].items():
        torch.testing.assert_close(final["model"][name], tensor, rtol=1e-6, atol=1e-7)


class LostNode(Exception):
    """A death no handler sees: an out-of-memory kill, a node that drops out of the job."""


def test_step_checkpoints_keep_a_crashed_run_resumable(
    unbroken: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tiny_config(tmp_path)
    config.trainer.checkpoint_every_steps = 2
    real_step, count = loop.train_step, [0]

    def step(*args, **kwargs):
        count[0] += 1
        if count[0] == STEPS_PER_EPOCH + 4:  # the fourth step of epoch 2: 3 done, 2 saved
            raise LostNode
        return real_step(*args, **kwargs)

    monkeypatch.setattr(loop, "train_step", step)
    with pytest.raises(LostNode):
        train(copy.deepcopy(config))
    monkeypatch.undo()
    run = (config.trainer.runs_dir / "latest").resolve()
    progress = load_checkpoint(run / LAST)["progress"]
    assert (progress["epoch"], progress["step"]) == (1, 2)  # the last step checkpoint's place

    result = train(copy.deepcopy(config), resume=run)
    assert result["epochs_completed"] == 3
    for want, have in zip(history(unbroken["off"]), history(run), strict=True):
        assert have == pytest.approx(want, rel=1e-6, abs=1e-7)


def test_a_finished_run_can_be_extended(tmp_path: Path) -> None:
    config = tiny_config(tmp_path)
    run = Path(train(copy.deepcopy(config))["run_dir"])
    config.trainer.epochs = 4
    result = train(config, resume=run)
    assert result["epochs_completed"] == 4
    assert [r["epoch"] for r in history(run)] == [1, 2, 3, 4]
    again = train(config, resume=run)  # nothing left to do: reports and writes nothing more
    assert again["epochs_completed"] == 4 and len(history(run)) == 4
