import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_datasets, load_split


def _table(path, n=120):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(5.0, 2.0, n),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
            "label": rng.choice(["a", "b", "c"], n).astype(object),
        }
    )
    frame.loc[::7, "x"] = np.nan
    frame.loc[::11, "colour"] = None
    frame.to_csv(path, index=False)
    return path


def _labels(ds) -> list[int]:
    return [int(v) for _, labels in ds for v in labels]


def test_the_preprocessing_sees_only_the_training_rows(tmp_path):
    cfg = DataConfig(source=str(_table(tmp_path / "t.csv")), target="label", batch_size=8)
    split = load_split(cfg, seed=0)
    assert split.prep.objective == "classification" and split.prep.classes == ["a", "b", "c"]
    assert split.prep.means == [pytest.approx(float(split.train["x"].mean()))]
    everything = pd.concat([split.train, split.val])
    assert split.prep.means != [pytest.approx(float(everything["x"].mean()))]
    assert set(split.train.index).isdisjoint(split.val.index)


def test_batches_keep_missing_values_raw(tmp_path):
    cfg = DataConfig(source=str(_table(tmp_path / "t.csv")), target="label", batch_size=8)
    data = load_datasets(cfg, seed=0)
    features, labels = next(iter(data.train_batches(epoch=1)))
    assert features["numeric"].shape == (8, 1) and features["categorical"].shape == (8, 1)
    numeric = np.concatenate([f["numeric"].numpy() for f, _ in data.train_batches(1)])
    assert np.isnan(numeric).any()  # the model standardises and flags them
    ids = np.concatenate([f["categorical"].numpy() for f, _ in data.train_batches(1)])
    assert ids.min() >= 0 and ids.max() <= 3 and (ids == 0).any()  # 0: missing
    assert labels.dtype.is_integer


def test_each_epoch_has_its_own_order_and_it_is_reproducible():
    cfg = DataConfig(num_samples=200, batch_size=16)
    first, again = load_datasets(cfg, seed=0), load_datasets(cfg, seed=0)
    epoch1, epoch2 = _labels(first.train_batches(1)), _labels(first.train_batches(2))
    ids = [int(v) for f, _ in first.train_batches(1) for v in f["categorical"][:, 0]]
    ids2 = [int(v) for f, _ in first.train_batches(2) for v in f["categorical"][:, 0]]
    assert ids != ids2 and len(epoch1) == len(epoch2)  # reshuffled every epoch
    # A fresh process (a resumed run) sees the same order for the same epoch, and a skip of
    # k batches starts at the k-th batch of that order.
    assert _labels(again.train_batches(2)) == epoch2
    assert _labels(again.train_batches(2, skip=3)) == epoch2[3 * 16 :]


def test_a_missing_source_or_target_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_datasets(DataConfig(source=str(tmp_path / "nowhere.csv")), seed=0)
    assert "\n" not in str(caught.value)
    path = _table(tmp_path / "t.csv")
    with pytest.raises(ConfigError, match="no target column 'target'"):
        load_datasets(DataConfig(source=str(path)), seed=0)
