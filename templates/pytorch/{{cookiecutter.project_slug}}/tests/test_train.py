from __future__ import annotations

import copy
import csv
import random
from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, LAST, load_checkpoint, save_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.seeding import numpy_rng, rng_state, set_rng_state
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.train import train


def rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_a_run_writes_its_outputs(trained: tuple[Config, Path]) -> None:
    config, run = trained
    for name in ("config.toml", "metrics.csv", LAST, BEST):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert [r["epoch"] for r in rows(run)] == ["1", "2"]
    assert (config.trainer.runs_dir / "latest").resolve() == run.resolve()


def test_checkpoints_load_with_weights_only(trained: tuple[Config, Path]) -> None:
    _, run = trained
    state = torch.load(run / LAST, weights_only=True)
    assert {"model", "optimizer", "scheduler", "scaler", "progress", "best", "ranks"} <= set(state)
    assert state["progress"]["epoch"] == 2 and state["progress"]["step"] == 0
    model = model_from_checkpoint(state)
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, state["model"][name])


def test_best_checkpoint_is_the_epoch_with_the_best_validation_metric(
    trained: tuple[Config, Path],
) -> None:
    config, run = trained
    metric, mode = config.trainer.best_metric, config.trainer.best_mode
    best = {"min": min, "max": max}[mode](rows(run), key=lambda r: float(r[metric]))
    state = load_checkpoint(run / BEST)
    assert state["best"] == {
        "metric": metric,
        "value": pytest.approx(float(best[metric])),
        "epoch": int(best["epoch"]),
    }
    assert state["progress"]["epoch"] == int(best["epoch"])


def test_evaluate_reproduces_the_recorded_best_metrics(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = evaluate(config, run)
    recorded = load_checkpoint(run / BEST)["metrics"]
    assert result["loss"] == pytest.approx(recorded["val_loss"], rel=1e-5)
    for name in Task.from_state(load_checkpoint(run / BEST)).metric_names:
        assert result[name.removeprefix("val_")] == pytest.approx(recorded[name], rel=1e-6)
        assert result[f"recorded_{name}"] == recorded[name]


def test_a_second_train_keeps_the_first_run(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, first = trained
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    second = copy.deepcopy(config)
    second.trainer.epochs, second.trainer.run_name = 1, "second"
    result = train(second)
    assert Path(result["run_dir"]) == config.trainer.runs_dir / "second" != first
    assert {p: p.read_bytes() for p in first.rglob("*") if p.is_file()} == before
    assert (config.trainer.runs_dir / "latest").resolve().name == "second"
    with pytest.raises(ProjectError, match="already exists"):
        train(second)


def test_rng_state_round_trip(tmp_path: Path) -> None:
    save_checkpoint({"rng": rng_state()}, tmp_path / "rng.pt")
    expected = (random.random(), numpy_rng().random(), torch.rand(1))
    set_rng_state(load_checkpoint(tmp_path / "rng.pt")["rng"])
    assert (random.random(), numpy_rng().random()) == expected[:2]
    assert torch.equal(torch.rand(1), expected[2])


def test_resume_without_a_checkpoint_is_refused(config: Config, tmp_path: Path) -> None:
    (tmp_path / "empty-run").mkdir()
    with pytest.raises(ProjectError, match=r"has no checkpoint \(last.pt\) to resume"):
        train(config, resume=tmp_path / "empty-run")


def test_a_diverging_loss_stops_training_in_one_line(config: Config) -> None:
    config.trainer.lr = 1e9
    with pytest.raises(ProjectError, match="training diverged") as error:
        train(config)
    assert "\n" not in str(error.value)
