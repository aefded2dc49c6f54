"""Recall@k, NDCG@k and the full-catalogue loss against values worked out by hand, and the
popularity baseline a trained model is compared with."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.interactions import load_interactions
from {{ cookiecutter.package_name }}.ranking import (
    popularity_baseline,
    ranking_scores,
    ranking_sums,
)


def test_recall_and_ndcg_by_hand() -> None:
    # Items 0..4; item 1 was met in training (never ranked); 2 and 4 were held out.
    scores = np.array([[5.0, 9.0, 4.0, 3.0, 1.0]])
    targets = np.array([[0, -1, 1, 0, 1]], np.int8)
    loss, recall, ndcg, users = ranking_sums(scores, targets, k=2)
    # The top 2 among items 0, 2, 3, 4 are 0 and 2: one hit of the two possible, at place 2.
    assert recall == pytest.approx(0.5)
    assert ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    log_norm = math.log(sum(math.exp(s) for s in [5.0, 4.0, 3.0, 1.0]))
    assert loss == pytest.approx(((log_norm - 4.0) + (log_norm - 1.0)) / 2)
    assert users == 1


def test_recall_is_out_of_at_most_k() -> None:
    scores = np.array([[3.0, 2.0, 1.0, 0.0]])
    targets = np.array([[1, 1, 1, 0]], np.int8)
    result = ranking_scores(ranking_sums(scores, targets, k=2))
    assert result["recall"] == pytest.approx(1.0) and result["ndcg"] == pytest.approx(1.0)


def test_sums_over_batches_equal_the_whole() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(10, 20))
    targets = np.zeros((10, 20), np.int8)
    for row in range(10):
        picked = rng.choice(20, size=5, replace=False)
        targets[row, picked[:3]], targets[row, picked[3:]] = 1, -1
    whole = ranking_sums(scores, targets, k=5)
    parts = ranking_sums(scores[:4], targets[:4], k=5) + ranking_sums(scores[4:], targets[4:], k=5)
    assert np.allclose(whole, parts)


def test_a_perfect_ranking_scores_one_and_a_reversed_one_scores_zero() -> None:
    targets = np.array([[1, 1, 0, 0, 0, 0]], np.int8)
    best = ranking_scores(ranking_sums(np.array([[6.0, 5, 4, 3, 2, 1]]), targets, k=2))
    worst = ranking_scores(ranking_sums(np.array([[1.0, 2, 3, 4, 5, 6]]), targets, k=2))
    assert best["recall"] == best["ndcg"] == pytest.approx(1.0)
    assert worst["recall"] == worst["ndcg"] == 0.0
    assert best["loss"] < worst["loss"]


def test_the_popularity_baseline_recommends_the_most_met_items() -> None:
    data = load_interactions("synthetic", num_users=200, num_items=60, val_fraction=0.2, seed=0)
    baseline = popularity_baseline(data, k=10)
    assert 0 < baseline["recall"] < 1 and 0 < baseline["ndcg"] < 1
    # Recommending the least-met items instead does worse.
    counts = data.item_counts().astype(float)
    rows = np.arange(len(data.val_users))
    least = np.broadcast_to(-counts, (len(rows), len(counts)))
    reversed_ = ranking_scores(ranking_sums(least, data.targets(rows), 10))
    assert reversed_["recall"] < baseline["recall"]
