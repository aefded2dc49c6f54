"""The table's reading, preprocessing and metrics: what every model input and reported number
rests on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.scores import baselines, roc_auc, score
from {{ cookiecutter.package_name }}.table import (
    Preprocessing,
    infer_objective,
    read_table,
    split_indices,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "size": [1.0, 2.0, None, 4.0, 100.0],
            "colour": ["red", "blue", None, "red", "green"],
            "label": ["a", "b", "a", "b", "a"],
        }
    )


def test_preprocessing_is_fitted_on_the_rows_it_is_given(frame: pd.DataFrame) -> None:
    """The held-out row (size 100, colour green) must not move the statistics or the vocabulary."""
    prep = Preprocessing.fit(frame.iloc[:4], "label", "classification")
    assert prep.numeric == ["size"] and prep.categorical == ["colour"]
    assert prep.means == pytest.approx([7 / 3])  # the missing value is left out
    assert prep.vocabularies == [["blue", "red"]]
    ids = prep.category_ids(frame)
    assert ids[:, 0].tolist() == [2, 1, 0, 2, 0]  # missing and unseen share id 0
    values = prep.numeric_values(frame)
    assert np.isnan(values[2, 0]) and values[4, 0] == 100.0  # raw: the model standardises


def test_labels_name_the_classes_and_refuse_an_unseen_one(frame: pd.DataFrame) -> None:
    prep = Preprocessing.fit(frame, "label", "classification")
    assert prep.classes == ["a", "b"]
    assert prep.labels(frame).tolist() == [0, 1, 0, 1, 0]
    other = frame.assign(label=["a", "b", "c", "a", "a"])
    with pytest.raises(ConfigError, match="'c'"):
        prep.labels(other)


def test_a_regression_target_is_standardised_and_decoded_back() -> None:
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [10.0, 20.0, 30.0, 40.0]})
    prep = Preprocessing.fit(frame, "y", "regression")
    standardised = prep.labels(frame)
    assert standardised.mean() == pytest.approx(0.0, abs=1e-6)
    decoded = [row["value"] for row in prep.decode(standardised[:, None])]
    assert decoded == pytest.approx([10.0, 20.0, 30.0, 40.0], rel=1e-5)
    metrics = score("regression", standardised + 1.0, standardised, prep)  # off by one spread
    assert metrics["rmse"] == pytest.approx(prep.target_std) == pytest.approx(metrics["mae"])


@pytest.mark.parametrize(
    ("values", "objective"),
    [
        (["yes", "no"], "classification"),
        ([True, False], "classification"),
        ([1, 2, 3, 2], "classification"),
        (list(range(50)), "regression"),
        ([0.5, 1.5, 2.0], "regression"),
    ],
)
def test_the_objective_follows_the_target(values: list, objective: str) -> None:
    assert infer_objective(pd.Series(values, name="t"), "auto") == objective


def test_regression_needs_a_numeric_target() -> None:
    with pytest.raises(ConfigError, match="numeric target"):
        infer_objective(pd.Series(["a", "b"], name="t"), "regression")


def test_roc_auc_counts_pairs_and_ties() -> None:
    positive = np.array([False, False, True, True])
    assert roc_auc(np.array([0.1, 0.4, 0.35, 0.8]), positive) == pytest.approx(0.75)
    assert roc_auc(np.zeros(4), positive) == pytest.approx(0.5)
    assert np.isnan(roc_auc(np.zeros(2), np.array([True, True])))


def test_the_majority_baseline_scores_the_majority_class(frame: pd.DataFrame) -> None:
    prep = Preprocessing.fit(frame, "label", "classification")
    result = baselines(prep, frame, frame)
    assert result["majority"]["accuracy"] == pytest.approx(3 / 5)
    assert result["majority"]["auc"] == pytest.approx(0.5)


def test_preprocessing_survives_a_save(frame: pd.DataFrame, tmp_path: Path) -> None:
    prep = Preprocessing.fit(frame, "label", "classification")
    prep.save(tmp_path / "preprocessing.json")
    assert Preprocessing.load(tmp_path / "preprocessing.json") == prep


def test_tables_are_read_from_csv_and_parquet(frame: pd.DataFrame, tmp_path: Path) -> None:
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        read = read_table(str(tmp_path / name), target="label", num_samples=0, seed=0)
        assert read["label"].tolist() == frame["label"].tolist()


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.csv", "does not exist"), ("t.txt", ".csv or .parquet"), ("t.csv", "no target")],
)
def test_a_bad_source_is_one_clear_error(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "t.txt").write_text("a,b\n1,2\n")
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(ConfigError, match=message):
        read_table(str(tmp_path / name), target="label", num_samples=0, seed=0)


def test_the_synthetic_table_is_seeded_and_split_the_same_way() -> None:
    a = read_table("synthetic", target="target", num_samples=200, seed=3)
    b = read_table("synthetic", target="target", num_samples=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a.isna().any().any()  # it exercises the missing-value path
    train, val = split_indices(len(a), 0.2, seed=3)
    assert len(val) == 40 and not set(train) & set(val)
