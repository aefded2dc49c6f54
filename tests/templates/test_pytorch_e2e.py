"""Bake the PyTorch template, install it, and run what a user runs: tests, train, resume,
evaluate, export, and a two-process torchrun (Gloo on the CPU)."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest

from harness import ProjectEnv, bake, install, require

pytestmark = pytest.mark.e2e

PACKAGE = "image_classifier"
COMMAND = "image-classifier"
SMALL = ("--set", "data.num_samples=512")


def rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    require("torch")
    root = tmp_path_factory.mktemp("pytorch")
    project = bake("pytorch", root)
    return install(project, root / "venv")


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    """One epoch on 512 synthetic samples, the run the later tests continue and export."""
    return env.run_json(COMMAND, "train", *SMALL, "--set", "trainer.epochs=1")


def test_project_tests_pass(env: ProjectEnv) -> None:
    require("torch")
    env.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")


def test_train_one_epoch(env: ProjectEnv, trained: dict) -> None:
    require("torch")
    run = env.root / "runs" / "default"
    assert trained["epochs_completed"] == 1 and trained["world_size"] == 1
    for name in ("config.toml", "metrics.csv", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert len(rows(run)) == 1
    assert trained["val_accuracy"] > 0.2, trained  # chance is 0.1


def test_resume_continues(env: ProjectEnv, trained: dict) -> None:
    require("torch")
    result = env.run_json(COMMAND, "train", "--resume", *SMALL, "--set", "trainer.epochs=2")
    assert result["epochs_completed"] == 2
    assert [r["epoch"] for r in rows(env.root / "runs" / "default")] == ["1", "2"]


def test_evaluate_matches_the_best_epoch(env: ProjectEnv, trained: dict) -> None:
    require("torch")
    best = max(float(r["val_accuracy"]) for r in rows(env.root / "runs" / "default"))
    result = env.run_json(COMMAND, "evaluate", *SMALL)
    assert result["accuracy"] == pytest.approx(best)
    assert result["loss"] > 0


def test_export_reloads_in_a_fresh_process(env: ProjectEnv, trained: dict) -> None:
    require("torch")
    result = env.run_json(COMMAND, "export", *SMALL)
    pt2 = env.root / result["pt2"]
    assert pt2.is_file() and result["max_abs_diff"] <= result["atol"]
    script = textwrap.dedent(
        f"""
        import json, torch
        from {PACKAGE}.model import model_from_checkpoint
        from {PACKAGE}.utils import load_checkpoint

        exported = torch.export.load({str(pt2)!r}).module()
        eager = model_from_checkpoint(load_checkpoint(__import__("pathlib").Path("runs/default/best.pt")))
        x = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            diff = (exported(x) - eager(x)).abs().max().item()
        print(json.dumps({{"diff": diff}}))
        """
    )
    out = env.run("python", "-c", script).stdout
    assert json.loads(out.strip().splitlines()[-1])["diff"] <= 1e-4


def test_torchrun_two_processes(env: ProjectEnv) -> None:
    require("torch")
    out = env.root / "runs" / "ddp"
    completed = env.run(
        "torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train", *SMALL,
        "--set", "trainer.epochs=1", "--set", f"trainer.output_dir={out}",
    )  # fmt: skip
    stdout = completed.stdout
    result = json.loads(stdout[stdout.index("{") :])  # only rank 0 prints its result
    assert result["world_size"] == 2 and result["epochs_completed"] == 1
    for rank in (0, 1):
        assert f"rank {rank}/2 on cpu" in completed.stderr, completed.stderr[-3000:]
    assert sorted(p.name for p in out.glob("*.pt")) == ["best.pt", "last.pt"]
    assert len(rows(out)) == 1
    assert len(list((out / "tensorboard").glob("events.out.tfevents.*"))) == 1


def test_training_does_not_import_tensorflow(env: ProjectEnv, tmp_path: Path) -> None:
    """TensorBoard logging must not pull in TensorFlow (seconds of start-up) where it is installed."""
    require("torch", "tensorflow")
    code = textwrap.dedent(
        f"""
        import sys
        from {PACKAGE}.cli import main
        main(["train", "--set", "data.num_samples=128", "--set", "trainer.epochs=1",
              "--set", "trainer.output_dir={tmp_path / "run"}"])
        assert "tensorflow" not in sys.modules, "training imported tensorflow"
        """
    )
    env.run("python", "-c", code)
    assert list((tmp_path / "run" / "tensorboard").glob("events.out.tfevents.*"))
