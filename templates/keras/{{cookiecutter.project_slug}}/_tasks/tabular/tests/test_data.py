import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_split


def test_split_sizes_and_inputs(config: Config) -> None:
    split = load_split(config.data, seed=0)
    assert len(split.y_val) == round(256 * config.data.val_fraction)
    assert len(split.y_train) + len(split.y_val) == 256
    numeric, categorical = split.x_train
    assert numeric.dtype == np.float32 and np.isnan(numeric).any()  # missing values stay NaN
    assert categorical.dtype == np.int32 and categorical.min() >= 0
    assert split.meta.objective == "classification" and split.meta.classes == ["no", "yes"]


def test_preprocessing_is_fitted_on_the_training_rows_only(config: Config) -> None:
    split = load_split(config.data, seed=0)
    train_means = np.nanmean(split.x_train[0].astype("float64"), axis=0)
    np.testing.assert_allclose(split.meta.means, train_means, rtol=1e-5)
    every_row = np.nanmean(np.concatenate([split.x_train[0], split.x_val[0]]), axis=0)
    assert not np.allclose(split.meta.means, every_row, rtol=1e-7)


def test_a_numeric_target_is_regression(config: Config, tmp_path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=50), "colour": ["red", "blue"] * 25})
    frame["price"] = 3.0 * frame["x"] + 10.0 + rng.normal(scale=0.1, size=50)
    frame.to_csv(tmp_path / "prices.csv", index=False)
    config.data.source, config.data.target = str(tmp_path / "prices.csv"), "price"
    split = load_split(config.data, seed=0)
    assert split.meta.objective == "regression"
    assert abs(float(split.y_train.mean())) < 0.5  # the model learns the standardised target


def test_a_missing_target_column_is_refused(config: Config, tmp_path) -> None:
    pd.DataFrame({"x": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "t.csv", index=False)
    config.data.source = str(tmp_path / "t.csv")
    with pytest.raises(ConfigError, match="no target column 'target'"):
        load_split(config.data, seed=0)


@pytest.mark.parametrize(
    "override, message",
    [
        ("data.objective=ranking", "data.objective"),
        ("model.hidden=[64, 0]", "model.hidden"),
        ("model.embedding_dim=0", "model.embedding_dim"),
        ("trainer.best_metric=val_accuracy_top5", "trainer.best_metric"),
    ],
)
def test_bad_tabular_settings_are_refused(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config(Config, None, [override])
