"""What a tabular run keeps besides the common files: its preprocessing, the baselines, and
predictions on raw rows."""

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=2, tensorboard=False)
    cfg.data.num_samples = 600
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def test_the_model_beats_the_majority_class(trained) -> None:
    _, _, result = trained
    assert result["objective"] == "classification"
    assert result["val_accuracy"] > result["baselines"]["majority"]["accuracy"] + 0.1
    assert 0.5 < result["val_auc"] <= 1.0


def test_evaluate_reports_the_baselines(trained) -> None:
    cfg, run, result = trained
    evaluated = evaluate(cfg, run)
    assert evaluated["baselines"] == result["baselines"]
    assert evaluated["accuracy"] == pytest.approx(result["val_accuracy"])


def test_predict_raw_rows_from_checkpoint_and_export(trained, tmp_path) -> None:
    cfg, run, _ = trained
    rows = load_split(cfg.data, cfg.trainer.seed).val_frame.head(6)
    rows.drop(columns=["target"]).assign(note="ignored").to_csv(tmp_path / "rows.csv", index=False)
    export(cfg, run)
    path = str(tmp_path / "rows.csv")
    first, second = (predict(cfg, run, [path], None, e) for e in (False, True))
    assert len(first["predictions"]) == 6 and second["source"].endswith(("saved_model", ".onnx"))
    for mine, theirs in zip(first["predictions"], second["predictions"], strict=True):
        assert mine["input"] == theirs["input"] and mine["label"] == theirs["label"]
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)


def test_predict_names_a_missing_feature_column(trained, tmp_path) -> None:
    cfg, run, _ = trained
    rows = load_split(cfg.data, cfg.trainer.seed).val_frame.head(2)
    rows.drop(columns=["plan"]).to_csv(tmp_path / "rows.csv", index=False)
    with pytest.raises(ConfigError, match="'plan'"):
        predict(cfg, run, [str(tmp_path / "rows.csv")], None, False)


def test_best_metric_of_the_other_objective_is_refused(small_config, tmp_path) -> None:
    cfg = small_config(tmp_path / "runs", best_metric="val_rmse")
    with pytest.raises(ConfigError, match=r"val_rmse.*val_accuracy"):
        train(cfg)
    assert not (tmp_path / "runs").exists()


def test_evaluate_refuses_another_table(trained, tmp_path) -> None:
    cfg, run, _ = trained
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "target": ["x", "y", "x", "y"]})
    frame.to_csv(tmp_path / "other.csv", index=False)
    cfg.data.source = str(tmp_path / "other.csv")
    with pytest.raises(ConfigError, match="trained with"):
        evaluate(cfg, run)
