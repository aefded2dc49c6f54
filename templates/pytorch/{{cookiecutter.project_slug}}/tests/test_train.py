from __future__ import annotations

import copy
import csv
import random
import shutil
from pathlib import Path

import numpy as np
import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.train import train
from {{ cookiecutter.package_name }}.utils import (
    load_checkpoint,
    numpy_rng,
    rng_state,
    save_checkpoint,
    set_rng_state,
)


def rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_a_run_writes_its_outputs(trained: Config) -> None:
    run = trained.trainer.output_dir
    for name in ("config.toml", "metrics.csv", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert [r["epoch"] for r in rows(run)] == ["1"]


def test_checkpoints_load_with_weights_only(trained: Config) -> None:
    path = trained.trainer.output_dir / "last.pt"
    state = torch.load(path, weights_only=True)
    assert {"model", "optimizer", "scheduler", "scaler", "epoch", "best", "rng"} <= set(state)
    assert state["epoch"] == 1
    model = model_from_checkpoint(state)
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, state["model"][name])


def test_rng_state_round_trip(tmp_path: Path) -> None:
    save_checkpoint({"rng": rng_state()}, tmp_path / "rng.pt")
    expected = (random.random(), numpy_rng().random(), torch.rand(1))
    set_rng_state(load_checkpoint(tmp_path / "rng.pt")["rng"])
    assert (random.random(), numpy_rng().random()) == expected[:2]
    assert torch.equal(torch.rand(1), expected[2])


def test_resume_continues_the_run(trained: Config, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(trained.trainer.output_dir, run)
    config = copy.deepcopy(trained)
    config.trainer.output_dir, config.trainer.epochs = run, 2
    result = train(config, resume=True)
    assert result["epochs_completed"] == 2
    assert [r["epoch"] for r in rows(run)] == ["1", "2"]
    assert load_checkpoint(run / "last.pt")["epoch"] == 2
    # Nothing left to do: the run reports its state and writes nothing more.
    again = train(config, resume=True)
    assert again["epochs_completed"] == 2 and len(rows(run)) == 2


def test_evaluate_reproduces_the_best_validation_accuracy(trained: Config) -> None:
    result = evaluate(trained)
    best = load_checkpoint(trained.trainer.output_dir / "best.pt")["best"]
    assert np.isclose(result["accuracy"], best["val_accuracy"])
    assert np.isclose(result["loss"], best["val_loss"], rtol=1e-4)
