"""Reading interactions and splitting them per user: what every ranking the model is scored on,
and every recommendation it leaves out, rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.interactions import (
    Catalog,
    load_interactions,
    read_csv,
    split_interactions,
    synthetic_interactions,
)


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load(source: str, val_fraction: float = 0.2):
    return load_interactions(source, num_users=40, num_items=30, val_fraction=val_fraction, seed=0)


def test_the_latest_interactions_are_held_out_whatever_the_file_order(tmp_path: Path) -> None:
    rows = ["user_id,item_id,timestamp", "ann,c,2026-01-03", "ann,a,2026-01-01", "bob,a,5"]
    rows += ["ann,b,2026-01-02T10:00:00", "bob,c,9", "bob,b,7", "ann,d,2026-01-04"]
    data = _load(_write(tmp_path / "log.csv", "\n".join(rows) + "\n"), val_fraction=0.25)
    catalog = data.catalog
    assert catalog.users == ["ann", "bob"] and catalog.items == ["a", "b", "c", "d"]
    assert catalog.seen == [[0, 1, 2], [0, 1]]  # ann: a, b, c; bob: a, b
    held = [[catalog.items[i] for i in h] for h in data.held_out]
    assert data.val_users.tolist() == [0, 1] and held == [["d"], ["c"]]
    pairs = sorted(zip(data.train_users.tolist(), data.train_items.tolist(), strict=True))
    assert pairs == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_without_timestamps_the_file_order_is_time_and_repeats_keep_their_first_time(
    tmp_path: Path,
) -> None:
    rows = ["user_id,item_id", "7,x", "7,y", "7,x", "7,z", "8,x"]
    data = _load(_write(tmp_path / "log.csv", "\n".join(rows) + "\n"), val_fraction=0.3)
    # "7" met x, y, z (the second x is a repeat), z last; "8" has one item, kept for training
    assert data.catalog.users == ["7", "8"]
    assert data.val_users.tolist() == [0]
    assert [data.catalog.items[i] for i in data.held_out[0]] == ["z"]
    assert data.catalog.seen == [[0, 1], [0]]


def test_every_user_keeps_a_training_item_and_a_held_out_one_when_it_has_two() -> None:
    data = _load("synthetic", val_fraction=0.9)
    for row, user in enumerate(data.val_users):
        assert len(data.catalog.seen[user]) >= 1 and len(data.held_out[row]) >= 1
        assert not set(data.catalog.seen[user]) & set(data.held_out[row].tolist())


def test_targets_mark_held_out_and_training_items() -> None:
    data = _load("synthetic")
    targets = data.targets(np.array([0, 3]))
    assert targets.shape == (2, data.num_items) and targets.dtype == np.int8
    for j, row in enumerate([0, 3]):
        user = data.val_users[row]
        assert set(np.flatnonzero(targets[j] == 1)) == set(data.held_out[row].tolist())
        assert set(np.flatnonzero(targets[j] == -1)) == set(data.catalog.seen[user])


def test_the_split_is_the_same_for_the_same_seed() -> None:
    a, b = _load("synthetic"), _load("synthetic")
    assert np.array_equal(a.train_users, b.train_users)
    assert np.array_equal(a.train_items, b.train_items)
    assert a.catalog == b.catalog
    users, items = synthetic_interactions(40, 30, seed=1)
    assert (users, items) != synthetic_interactions(40, 30, seed=0)


def test_synthetic_users_mostly_keep_to_one_group_of_items() -> None:
    users, items = synthetic_interactions(200, 80, seed=0, groups=4)
    data = split_interactions(users, items, None, 0.2, seed=0)
    counts = np.zeros((len(data.catalog.users), data.num_items))
    counts[data.train_users, data.train_items] = 1
    # Items met by the same users: within a group far more than between two groups.
    overlap = counts.T @ counts
    np.fill_diagonal(overlap, 0)
    top = np.sort(overlap, axis=1)[:, -10:].mean()
    assert top > 3 * overlap.mean()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("user,item_id\n1,2\n", "no column 'user_id'"),
        ("user_id,item_id\n", "has no rows"),
        ("user_id,item_id\n1,\n", ":2: a row needs both"),
        ("user_id,item_id,timestamp\n1,2,yesterday\n", "neither a number nor an ISO 8601"),
        ("user_id,item_id\n1,a\n2,b\n", "no user has two or more distinct items"),
        ("user_id,item_id\n1,a\n1,a\n", "no user has two or more distinct items"),
    ],
)
def test_bad_logs_are_one_line(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        _load(_write(tmp_path / "log.csv", text))
    assert "\n" not in str(caught.value)


def test_a_missing_or_unreadable_source_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        _load(str(tmp_path / "missing.csv"))
    with pytest.raises(ConfigError, match="is not a CSV file"):
        _load(str(tmp_path))
    (tmp_path / "bad.csv").write_bytes(b"user_id,item_id\n\xff\xfe,1\n")
    with pytest.raises(ConfigError, match="cannot read it"):
        read_csv(tmp_path / "bad.csv")


def test_top_k_leaves_out_what_the_user_met_and_names_unknown_users() -> None:
    catalog = Catalog(users=["ann", "bob"], items=["a", "b", "c", "d"], seen=[[0, 2], []])
    scores = np.array([[4.0, 3.0, 2.0, 1.0], [4.0, 3.0, 2.0, 1.0]])
    rows = catalog.user_rows(["ann", "bob"])
    assert [[item for item, _ in found] for found in catalog.top_k(scores, rows, 3)] == [
        ["b", "d"],  # ann met a and c: two are left
        ["a", "b", "c"],
    ]
    with pytest.raises(ConfigError, match="unknown user id 'eve'"):
        catalog.user_rows(["ann", "eve"])
    assert Catalog.from_dict(catalog.to_dict()) == catalog
