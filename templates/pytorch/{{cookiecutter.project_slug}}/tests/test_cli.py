"""What a user sees when something cannot work: one line naming the key or file, a non-zero exit,
no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.cli import main

from . import sizes

PROG = "{{ cookiecutter.project_slug }}"
# One epoch of the small settings: a run of a second or two.
SMALL = [arg for value in [*sizes.SMALL, "trainer.epochs=1"] for arg in ("--set", value)]


def one_line_error(capfd: pytest.CaptureFixture[str], code: int, args: list[str]) -> str:
    assert main(args) == code
    err = capfd.readouterr().err.strip()
    assert err.startswith(f"{PROG}: ") and "\n" not in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("trainer.lr=-1", "trainer.lr"),
        ("data.batch_size=0", "data.batch_size"),
        ("data.val_fraction=1.0", "data.val_fraction"),
        ("trainer.epochs=true", "trainer.epochs"),
        ("model.dropout=1.5", "model.dropout"),
        ("trainer.runs_dir=''", "trainer.runs_dir"),
    ],
)
def test_a_bad_value_is_one_line(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, override: str, key: str
) -> None:
    assert key in one_line_error(capfd, 2, ["train", "--set", override])


def test_data_problems_are_one_line(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    runs = ["--set", f"trainer.runs_dir={tmp_path / 'runs'}"]
    missing = ["--set", f"data.source={tmp_path / 'nowhere'}"]
    assert "does not exist" in one_line_error(capfd, 2, ["train", *runs, *missing])
    too_big = ["--set", "data.batch_size=512"]
    assert "data.batch_size = 512" in one_line_error(capfd, 2, ["train", *runs, *SMALL, *too_big])
    assert not (tmp_path / "runs").exists()  # nothing was started


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_an_unavailable_device_is_one_line(capfd: pytest.CaptureFixture[str]) -> None:
    assert "trainer.device = 'cuda'" in one_line_error(
        capfd, 2, ["train", "--set", "trainer.device=cuda"]
    )


def test_an_incomplete_launch_environment_is_one_line(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = ["train", *SMALL, "--set", f"trainer.runs_dir={tmp_path}", "--set", "trainer.device=cpu"]
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.delenv("RANK", raising=False)
    assert "start several processes with torchrun" in one_line_error(capfd, 1, args)
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RANK", "0")
    assert "cannot join the process group" in one_line_error(capfd, 1, args)


def test_nothing_to_evaluate_export_or_resume_yet(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    runs = ["--set", f"trainer.runs_dir={tmp_path}"]
    for command in (["evaluate"], ["export"], ["train", "--resume"]):
        assert "train first" in one_line_error(capfd, 1, [*command, *runs])
    assert "not a run directory" in one_line_error(capfd, 1, ["evaluate", "--run", str(tmp_path)])


def test_commands_print_strict_json(tmp_path: Path) -> None:
    """A real process: train, then evaluate the latest run with its own saved config."""
    runs = ["--set", f"trainer.runs_dir={tmp_path}", "--set", "trainer.device=cpu"]

    def run(*args: str) -> dict:
        completed = subprocess.run(
            [sys.executable, "-m", "{{ cookiecutter.package_name }}", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        return json.loads(completed.stdout)

    trained = run("train", *SMALL, *runs, "--set", "trainer.seed=3")
    evaluated = run("evaluate", "--set", f"trainer.runs_dir={tmp_path}")
    assert evaluated["run_dir"] == trained["run_dir"]
    best = trained["best_metric"].removeprefix("val_")
    assert evaluated[best] == pytest.approx(trained["best_value"], rel=1e-5)
