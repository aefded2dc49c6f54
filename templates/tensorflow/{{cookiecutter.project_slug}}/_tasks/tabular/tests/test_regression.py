"""A numeric target: the same loop, squared error on the standardised target, and metrics,
exports and predictions in the target's units."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.table import synthetic_table
from {{ cookiecutter.package_name }}.train import train

from .conftest import small_config


@pytest.fixture(scope="module")
def regression(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("regression")
    frame = synthetic_table(256, seed=3).drop(columns=["target"])
    frame["spend"] = 1000.0 + 40.0 * frame["support_calls"] + 3.0 * frame["age"]
    frame.to_csv(folder / "spend.csv", index=False)
    config = small_config(
        folder / "runs",
        f"data.source={folder / 'spend.csv'}",
        "data.target=spend",
        "trainer.best_metric=val_rmse",
        "trainer.epochs=2",
    )
    return config, train(config), folder / "spend.csv"


def test_a_numeric_target_is_regression_in_its_units(regression):
    config, result, _ = regression
    assert result["objective"] == "regression" and "class_names" not in result
    assert result["val_rmse"] < result["baselines"]["mean"]["rmse"]
    metrics = evaluate(config, Path(result["run_dir"]))
    assert metrics["val_rmse"] == pytest.approx(result["best_val_rmse"], rel=1e-5)


def test_values_agree_between_checkpoint_and_export(regression):
    config, result, table = regression
    run = Path(result["run_dir"])
    assert export(config, run)["max_abs_diff"] < 1e-5
    from_checkpoint = predict(config, run, [str(table)], checkpoint=None, exported=False)
    from_export = predict(config, run, [str(table)], checkpoint=None, exported=True)
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a.keys() == {"input", "value"}
        assert a["value"] == pytest.approx(b["value"], rel=1e-5)
        assert 900.0 < a["value"] < 1500.0  # in the target's units, not standardised
