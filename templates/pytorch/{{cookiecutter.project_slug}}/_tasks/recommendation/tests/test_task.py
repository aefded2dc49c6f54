"""The loss the towers learn from, what the loop records, and what evaluate checks before it
scores a run."""

from __future__ import annotations

import copy
import csv
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_data
from {{ cookiecutter.package_name }}.distributed import Distributed
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.ranking import ranking_scores, ranking_sums
from {{ cookiecutter.package_name }}.task import Task, in_batch_softmax


def test_each_items_logit_is_lowered_by_the_log_of_its_share() -> None:
    """Equal scores: a pair of a popular item must still win its row by its item's share, else
    every score drifts towards popularity (popular items are everyone's negatives)."""
    logits, items = torch.zeros(3, 3), torch.tensor([0, 1, 2])
    q = torch.tensor([0.7, 0.2, 0.1])
    loss = in_batch_softmax(logits, items, q.log())
    # Row b, after the correction: -log softmax(-log q)[b] = log q_b + log sum_c 1 / q_c.
    expected = np.mean([math.log(q_b) + math.log((1 / q).sum().item()) for q_b in q.tolist()])
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    assert loss.item() != pytest.approx(math.log(3))  # what it would be uncorrected


def test_a_repeat_of_the_rows_own_item_is_not_a_negative() -> None:
    logits, items = torch.zeros(3, 3), torch.tensor([0, 0, 1])
    loss = in_batch_softmax(logits, items, torch.zeros(2))
    # Rows 0 and 1 each see their own item and item 1; row 2 sees all three columns.
    assert loss.item() == pytest.approx((2 * math.log(2) + math.log(3)) / 3, rel=1e-6)


def test_the_item_shares_are_those_of_the_training_pairs(config: Config) -> None:
    data = load_data(config.data, config.trainer.seed)
    shares = Task(data.catalog, data).log_q.exp()
    met = data.item_counts() > 0
    assert shares[met].sum().item() == pytest.approx(1.0, rel=1e-5)
    expected = np.log(data.item_counts()[met] / len(data.train_items))
    np.testing.assert_allclose(shares[met].log().numpy(), expected, rtol=1e-5)


def test_epochs_record_recall_and_ndcg_beside_the_popularity_baseline(
    trained: tuple[Config, Path],
) -> None:
    config, run = trained
    with (run / "metrics.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert header[1:5] == ["train_loss", "val_loss", "val_recall", "val_ndcg"]
    result = evaluate(config, run)
    assert (result["num_users"], result["num_items"], result["k"]) == (40, 30, 10)
    assert result["num_val_users"] == 40
    popularity = result["baselines"]["popularity"]
    assert 0 < popularity["recall"] < 1 and 0 < popularity["ndcg"] < 1


def test_validation_scores_every_held_out_user_against_the_whole_catalogue(
    trained: tuple[Config, Path],
) -> None:
    config, run = trained
    data = load_data(config.data, config.trainer.seed)
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    with torch.no_grad():
        scores = model(torch.from_numpy(data.val_users)).numpy()
    rows = np.arange(len(data.val_users))
    expected = ranking_scores(ranking_sums(scores, data.targets(rows), k=10))
    result = evaluate(config, run)
    for name in ("loss", "recall", "ndcg"):
        assert result[name] == pytest.approx(expected[name], rel=1e-6)


class TwoRanks(Distributed):
    """Stands in for a two-process group: adds the other rank's sums."""

    def __init__(self, other: np.ndarray) -> None:
        super().__init__(0, 0, 2)
        object.__setattr__(self, "other", other)

    def all_sum(self, values: torch.Tensor) -> torch.Tensor:
        return values.add_(torch.from_numpy(self.other))


def test_held_out_metrics_add_up_every_ranks_sums(trained: tuple[Config, Path]) -> None:
    config, run = trained
    data = load_data(config.data, config.trainer.seed)
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    task = Task(data.catalog, data)
    with torch.no_grad():
        scores = model(torch.from_numpy(data.val_users))
    targets = torch.from_numpy(data.targets(np.arange(len(data.val_users))))
    whole = task.metrics(torch.device("cpu"))
    whole.update(scores, targets)
    mine, other = task.metrics(torch.device("cpu")), task.metrics(torch.device("cpu"))
    mine.update(scores[0::2], targets[0::2])
    other.update(scores[1::2], targets[1::2])
    assert mine.compute(TwoRanks(other.sums)) == pytest.approx(whole.compute())


def test_evaluate_refuses_a_log_of_other_users_and_items(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    log = tmp_path / "log.csv"
    rows = [f"user{u},item{(u + i) % 12}" for u in range(20) for i in range(3)]
    log.write_text("user_id,item_id\n" + "\n".join(rows) + "\n")
    other = copy.deepcopy(config)
    other.data.source = str(log)
    with pytest.raises(ConfigError, match="was trained on 40 users and 30 items") as error:
        evaluate(other, run)
    assert "now holds 20 users and 12 items" in str(error.value)
