"""The loss the towers learn from, what the loop records, and what evaluate checks before it
scores a run."""

import copy
import csv
import math
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.data import load_datasets, load_split
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.ranking import ranking_scores, ranking_sums
from {{ cookiecutter.package_name }}.task import Task, in_batch_softmax


def _loss(logits, items, log_q) -> float:
    items = tf.constant(items, tf.int64)
    per_pair = in_batch_softmax(tf.constant(logits, tf.float32), items, tf.constant(log_q))
    return float(tf.reduce_mean(per_pair))


def test_each_items_logit_is_lowered_by_the_log_of_its_share():
    """Equal scores: a pair of a popular item must still win its row by its item's share, else
    every score drifts towards popularity (popular items are everyone's negatives)."""
    q = np.array([0.7, 0.2, 0.1], np.float32)
    loss = _loss(np.zeros((3, 3)), [0, 1, 2], np.log(q))
    # Row b, after the correction: -log softmax(-log q)[b] = log q_b + log sum_c 1 / q_c.
    expected = np.mean([math.log(q_b) + math.log((1 / q).sum()) for q_b in q])
    assert loss == pytest.approx(expected, rel=1e-6)
    assert loss != pytest.approx(math.log(3))  # what it would be uncorrected


def test_a_repeat_of_the_rows_own_item_is_not_a_negative():
    loss = _loss(np.zeros((3, 3)), [0, 0, 1], np.zeros(2, np.float32))
    # Rows 0 and 1 each see their own item and item 1; row 2 sees all three columns.
    assert loss == pytest.approx((2 * math.log(2) + math.log(3)) / 3, rel=1e-6)


def test_the_item_shares_are_those_of_the_training_pairs(trained):
    config, _ = trained
    data = load_split(config.data, config.trainer.seed)
    counts = data.item_counts()
    expected = np.log(np.maximum(counts, 1) / len(data.train_items))
    np.testing.assert_allclose(data.catalog.log_item_shares(), expected, rtol=1e-6)
    assert np.exp(data.catalog.log_item_shares())[counts > 0].sum() == pytest.approx(1, rel=1e-5)


def test_epochs_record_recall_and_ndcg_beside_the_popularity_baseline(trained):
    _, result = trained
    with (Path(result["run_dir"]) / "metrics.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert header[2:6] == ["train_loss", "val_loss", "val_recall", "val_ndcg"]
    assert (result["num_users"], result["num_items"], result["k"]) == (45, 30, 10)
    popularity = result["baselines"]["popularity"]
    assert 0 < popularity["recall"] < 1 and 0 < popularity["ndcg"] < 1
    assert result["best_metric"] == "val_ndcg"


def test_validation_scores_every_held_out_user_against_the_whole_catalogue(trained):
    config, result = trained
    run = Path(result["run_dir"])
    data = load_split(config.data, config.trainer.seed)
    model, _ = load_trained_model(config, resolve_checkpoint(run))
    scores = model(tf.constant(data.val_users), training=False).numpy()
    rows = np.arange(len(data.val_users))
    expected = ranking_scores(ranking_sums(scores, data.targets(rows), k=10))
    metrics = evaluate(config, run)
    for name in ("loss", "recall", "ndcg"):
        assert metrics[f"val_{name}"] == pytest.approx(expected[name], rel=1e-5)


def test_held_out_metrics_add_up_over_any_cut_of_the_users(trained):
    """What two replicas (or two batches) add up is what one scores on all the users."""
    config, result = trained
    datasets = load_datasets(config.data, config.trainer.seed, config.model.top_k)
    model, spec = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    task = Task(spec)
    users, targets = next(iter(datasets.val_batches().unbatch().batch(1000)))
    scores = model(users, training=False)
    whole = task.sums(scores, targets).numpy()
    halves = task.sums(scores[0::2], targets[0::2]) + task.sums(scores[1::2], targets[1::2])
    np.testing.assert_allclose(halves.numpy(), whole, rtol=1e-5)
    assert whole[-1] == len(users)


def test_evaluate_refuses_a_log_of_other_users_and_items(trained, tmp_path):
    config, result = trained
    log = tmp_path / "log.csv"
    rows = [f"user{u},item{(u + i) % 12}" for u in range(20) for i in range(3)]
    log.write_text("user_id,item_id\n" + "\n".join(rows) + "\n")
    other = copy.deepcopy(config)
    other.data.source = str(log)
    with pytest.raises(ConfigError, match="was trained on 45 users and 30 items") as error:
        evaluate(other, Path(result["run_dir"]))
    assert "now holds 20 users and 12 items" in str(error.value)
    assert "\n" not in str(error.value)
