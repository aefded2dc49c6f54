"""What a recommendation run keeps besides the common files: its catalogue, the baseline, scores
of every held-out user against the whole catalogue, the export of user indices to item scores,
and recommendations from the checkpoint and from the export."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }} import predict as predict_module
from {{ cookiecutter.package_name }}.checkpoint import load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.ranking import ranking_scores, ranking_sums
from {{ cookiecutter.package_name }}.task import META_FILE, new_split
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=2, tensorboard=False)
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def test_epochs_record_recall_and_ndcg_beside_the_popularity_baseline(trained) -> None:
    cfg, run, result = trained
    assert (result["num_users"], result["num_items"], result["k"]) == (40, 30, 10)
    assert json.loads((run / META_FILE).read_text())["top_k"] == 10
    popularity = result["baselines"]["popularity"]
    assert 0 < popularity["recall"] < 1 and 0 < popularity["ndcg"] < 1
    evaluated = evaluate(cfg, run)
    assert evaluated["baselines"]["popularity"] == popularity and evaluated["num_samples"] == 40


def test_validation_scores_every_held_out_user_against_the_whole_catalogue(trained) -> None:
    cfg, run, _ = trained
    split = new_split(cfg, seed=0)
    model, _ = load_checkpoint(run)
    scores = keras.ops.convert_to_numpy(model(split.x_val))
    expected = ranking_scores(ranking_sums(scores, split.y_val, k=10))
    result = evaluate(cfg, run)
    for name in ("loss", "recall", "ndcg"):
        assert result[name] == pytest.approx(expected[name], rel=1e-5)


def check_recommendations(result: dict, inputs: list[str], scores: np.ndarray, catalog: dict):
    for prediction, user, user_scores in zip(result["predictions"], inputs, scores, strict=True):
        assert prediction["input"] == user
        seen = catalog["seen"][catalog["users"].index(user)]
        items = [catalog["items"].index(i["item"]) for i in prediction["items"]]
        assert len(items) == 10 and not set(items) & set(seen)
        listed = [i["score"] for i in prediction["items"]]
        assert listed == sorted(listed, reverse=True)
        assert listed == pytest.approx(user_scores[items].tolist(), rel=1e-5, abs=1e-5)
        unmet = np.setdiff1d(np.arange(len(catalog["items"])), seen)
        assert min(listed) >= np.sort(user_scores[unmet])[-10] - 1e-5


def test_export_and_predict_from_checkpoint_and_export(trained) -> None:
    cfg, run, _ = trained
    catalog = json.loads((run / META_FILE).read_text())
    inputs = [catalog["users"][u] for u in (3, 0, 17)]
    with pytest.raises(ProjectError, match="export` first"):
        predict(cfg, run, inputs, None, True)
    exported = export(cfg, run)
    assert exported["max_abs_diff"] < 1e-4
    beside = json.loads(Path(exported["catalog"]).read_text())
    assert beside == {key: catalog[key] for key in ("users", "items", "seen")}
    model, _ = load_checkpoint(run)
    scores = keras.ops.convert_to_numpy(model(np.array([3, 0, 17])))
    first, second = (predict(cfg, run, inputs, None, e) for e in (False, True))
    assert second["source"] == exported["path"]
    check_recommendations(first, inputs, scores, catalog)
    check_recommendations(second, inputs, scores, catalog)


@pytest.mark.parametrize("exported", [False, True])
def test_an_unknown_user_is_one_line_before_any_model_is_loaded(
    trained, monkeypatch, exported: bool
) -> None:
    cfg, run, _ = trained

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was loaded")

    if exported and not (run / "export" / META_FILE).is_file():
        export(cfg, run)
    monkeypatch.setattr(predict_module, "load_predictor", no_model)
    with pytest.raises(ConfigError, match="unknown user id 'nobody'") as error:
        predict(cfg, run, ["u1", "nobody"], None, exported)
    assert "\n" not in str(error.value)
