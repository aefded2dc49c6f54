"""The objective decides the loss and the metrics; the loop records what the task reports."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_table, to_tensors
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.table import Preprocessing
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.train import train

from .sizes import write_table


def header(run: Path) -> list[str]:
    with (run / "metrics.csv").open(newline="") as f:
        return next(csv.reader(f))


def test_classification_records_accuracy_and_auc(trained: tuple[Config, Path]) -> None:
    config, run = trained
    assert header(run) == [
        *("epoch", "train_loss", "val_loss", "val_accuracy", "val_auc", "lr", "samples_per_s")
    ]
    result = evaluate(config, run)
    assert result["objective"] == "classification"
    assert set(result["baselines"]) >= {"majority"}
    assert 0.0 <= result["auc"] <= 1.0


def test_regression_reports_errors_in_the_targets_units(config: Config, tmp_path: Path) -> None:
    config.data.source = str(write_table(tmp_path / "t.csv", rows=200, regression=True))
    config.data.target = "label"
    run = Path(train(copy.deepcopy(config))["run_dir"])
    assert header(run)[2:5] == ["val_loss", "val_rmse", "val_mae"]
    state = load_checkpoint(run / BEST)
    table = load_table(config.data, config.trainer.seed)
    numeric, categorical, _ = to_tensors(table.prep, table.val)
    with torch.no_grad():
        predicted = model_from_checkpoint(state)(numeric, categorical).squeeze(-1).numpy()
    predicted = predicted * table.prep.target_std + table.prep.target_mean
    truth = table.val["label"].to_numpy()
    assert state["metrics"]["val_mae"] == pytest.approx(np.abs(predicted - truth).mean(), rel=1e-4)
    assert "mean" in evaluate(config, run)["baselines"]


def test_a_best_metric_the_objective_lacks_is_refused_at_the_start(config: Config) -> None:
    config.trainer.best_metric, config.trainer.best_mode = "val_rmse", "min"
    with pytest.raises(ConfigError, match=r"'val_rmse' is not recorded for classification"):
        train(config)
    assert not config.trainer.runs_dir.exists()  # nothing was started


def test_evaluate_refuses_a_table_the_run_was_not_fitted_on(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    other = copy.deepcopy(config)
    other.data.source, other.data.target = str(write_table(tmp_path / "t.csv")), "label"
    with pytest.raises(ConfigError, match="was fitted on other columns"):
        evaluate(other, run)


def test_regression_loss_is_the_mean_squared_error_per_row() -> None:
    prep = Preprocessing(target="y", objective="regression")
    outputs, labels = torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([1.0, 0.0, 1.0])
    assert Task(prep).loss(outputs, labels).item() == pytest.approx((0 + 4 + 9) / 3)


class TwoRanks:
    """Stands in for a two-process group: this rank's slice, and the other rank's."""

    def __init__(self, other: tuple[list[torch.Tensor], list[torch.Tensor]]) -> None:
        self.other = other

    def all_gather(self, value: object) -> list[object]:
        return [value, self.other]


def test_held_out_metrics_gather_every_ranks_rows(trained: tuple[Config, Path]) -> None:
    config, run = trained
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    table = load_table(config.data, config.trainer.seed)
    task = Task(table.prep)
    numeric, categorical, labels = to_tensors(table.prep, table.val)
    with torch.no_grad():
        outputs = model(numeric, categorical)
    whole = task.metrics(torch.device("cpu"))
    whole.update(outputs, labels)
    mine, other = task.metrics(torch.device("cpu")), task.metrics(torch.device("cpu"))
    mine.update(outputs[0::2], labels[0::2])
    other.update(outputs[1::2], labels[1::2])
    gathered = mine.compute(TwoRanks((other.outputs, other.labels)))  # type: ignore[arg-type]
    assert gathered == pytest.approx(whole.compute())
