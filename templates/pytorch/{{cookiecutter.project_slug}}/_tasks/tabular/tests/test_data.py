from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders, load_table
from {{ cookiecutter.package_name }}.distributed import Distributed
from {{ cookiecutter.package_name }}.task_config import DataConfig

from .sizes import write_table


def test_preprocessing_is_fitted_on_the_training_rows_only() -> None:
    table = load_table(DataConfig(num_samples=200), seed=0)
    assert len(table.train) == 160 and len(table.val) == 40
    prep = table.prep
    assert prep.objective == "classification" and prep.numeric and prep.categorical
    first = prep.numeric[0]
    assert prep.means[0] == pytest.approx(table.train[first].mean())
    assert prep.means[0] != pytest.approx(pd.concat([table.train, table.val])[first].mean())


def test_a_csv_with_missing_values_and_a_text_target(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.csv")
    table = load_table(DataConfig(source=str(path), target="label"), seed=0)
    assert table.prep.objective == "classification" and table.prep.classes == ["big", "small"]
    assert table.prep.numeric == ["size"] and table.prep.categorical == ["colour", "note"]
    numeric = table.prep.numeric_values(table.train)
    assert np.isnan(numeric).any()  # raw: the model standardises and fills in


def test_a_numeric_target_is_regression(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.csv", regression=True)
    table = load_table(DataConfig(source=str(path), target="label"), seed=0)
    assert table.prep.objective == "regression"
    labels = table.prep.labels(table.train)
    assert labels.dtype == np.float32 and abs(labels.mean()) < 1e-5  # standardised


def test_unusable_tables_are_refused_naming_the_problem(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.csv")
    with pytest.raises(ConfigError, match="no target column 'price'"):
        load_table(DataConfig(source=str(path), target="price"), seed=0)
    with pytest.raises(ConfigError, match="needs a numeric target"):
        load_table(DataConfig(source=str(path), target="label", objective="regression"), seed=0)
    with pytest.raises(ConfigError, match="does not exist"):
        load_table(DataConfig(source=str(tmp_path / "missing.csv")), seed=0)


def test_batches_reshuffle_per_epoch_and_resume_mid_epoch() -> None:
    config = Config(data=DataConfig(num_samples=80, batch_size=8))
    loaders = build_loaders(config, torch.device("cpu"))

    def labels(number: int, start: int = 0) -> list[list[int]]:
        loaders.set_epoch(number, start)
        return [batch[-1].tolist() for batch in loaders.train]

    numeric, categorical, y = next(iter(loaders.train))
    assert numeric.dtype == torch.float32 and categorical.dtype == torch.int64
    assert len(numeric) == len(categorical) == len(y) == 8
    assert labels(0) != labels(1) and labels(1) == labels(1)
    assert labels(1, start=2) == labels(1)[2:]


def test_ranks_score_disjoint_slices_of_the_held_out_rows() -> None:
    cfg = Config(data=DataConfig(num_samples=101, batch_size=4))
    whole = build_loaders(cfg, torch.device("cpu")).val.tensors[0]
    slices = [
        build_loaders(cfg, torch.device("cpu"), Distributed(r, r, 2)).val.tensors[0]
        for r in range(2)
    ]
    assert len(slices[0]) + len(slices[1]) == len(whole)
    torch.testing.assert_close(slices[0], whole[0::2], equal_nan=True)
    torch.testing.assert_close(slices[1], whole[1::2], equal_nan=True)
