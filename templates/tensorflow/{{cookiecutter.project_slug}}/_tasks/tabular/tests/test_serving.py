from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.serving import raw_inputs
from {{ cookiecutter.package_name }}.table import synthetic_table


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


def _rows(tmp_path: Path, n: int = 6) -> Path:
    """New rows without the target, one with a category no training row has."""
    frame = synthetic_table(n, seed=99).drop(columns=["target"])
    frame.loc[0, "region"] = "atlantis"
    frame["note"] = "extra columns are ignored"
    frame.to_csv(tmp_path / "rows.csv", index=False)
    return tmp_path / "rows.csv"


def test_train_reports_the_baselines_it_must_beat(trained):
    _, result = trained
    assert result["objective"] == "classification" and result["class_names"] == ["no", "yes"]
    assert result["baselines"]["majority"]["auc"] == pytest.approx(0.5)
    assert result["val_auc"] > result["baselines"]["majority"]["auc"]


def test_the_export_takes_raw_strings_and_matches_the_model(trained, exported):
    assert exported["max_abs_diff"] < 1e-5 and exported["class_names_match"]
    assert Path(exported["preprocessing"]).is_file()
    config, result = trained
    model, prep = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    frame = synthetic_table(5, seed=7)
    frame.loc[1, "plan"] = "unheard-of"
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    outputs = serve(**{k: tf.constant(v) for k, v in raw_inputs(prep, frame).items()})
    # The graph's lookup gives the ids the training data had (unseen -> 0).
    ids = prep.category_ids(frame)
    expected = model({"numeric": prep.numeric_values(frame), "categorical": ids}).numpy()
    np.testing.assert_allclose(outputs["logits"].numpy(), expected, atol=1e-5)
    assert outputs["probabilities"].shape == (5, 2)


def test_predict_agrees_between_checkpoint_and_export(trained, exported, tmp_path):
    config, result = trained
    run, rows = Path(result["run_dir"]), str(_rows(tmp_path))
    from_checkpoint = predict(config, run, [rows], checkpoint=None, exported=False)
    from_export = predict(config, run, [rows], checkpoint=None, exported=True)
    assert from_export["source"].endswith("saved_model")
    assert [p["input"] for p in from_checkpoint["predictions"]] == [f"{rows}:{i}" for i in range(6)]
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["label"] == b["label"] and a["label"] in ("no", "yes")
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_predict_refuses_bad_inputs(trained, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    frame = synthetic_table(4, seed=1).drop(columns=["plan"])
    frame.to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(ConfigError, match="no column 'plan'"):
        predict(config, run, [str(tmp_path / "short.csv")], checkpoint=None, exported=False)
    with pytest.raises(ConfigError, match="does not exist"):
        predict(config, run, [str(tmp_path / "none.csv")], checkpoint=None, exported=False)
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ProjectError, match="export --run"):
        predict(config, bare, [str(_rows(tmp_path))], checkpoint=None, exported=True)
