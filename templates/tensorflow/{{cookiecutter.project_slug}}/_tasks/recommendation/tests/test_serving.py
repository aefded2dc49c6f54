"""Export and predict: the SavedModel answers what the model answers, and predict takes user ids
as a user has them."""

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }} import predict as predict_module
from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


def _held_out(config, count: int = 3) -> list[str]:
    data = load_split(config.data, config.trainer.seed)
    return [data.catalog.users[u] for u in data.val_users[:count]]


def test_the_export_scores_users_of_any_batch_against_every_item(trained, exported):
    assert exported["max_abs_diff"] < 1e-5
    assert exported["checked_shapes"] == [[8], [1]]
    catalog = json.loads(Path(exported["catalog"]).read_text())
    assert len(catalog["users"]) == exported["num_users"] == 45
    config, result = trained
    model, _ = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    users = tf.constant([44, 0, 3, 3, 17], tf.int64)
    scores = serve(users=users)["scores"].numpy()
    assert scores.shape == (5, 30)
    np.testing.assert_allclose(scores, model(users).numpy(), atol=1e-5)


def test_recommendations_are_the_best_scored_items_the_user_has_not_met(trained, exported):
    config, result = trained
    run = Path(result["run_dir"])
    users = _held_out(config)
    from_checkpoint = predict(config, run, users, checkpoint=None, exported=False)
    from_export = predict(config, run, users, checkpoint=None, exported=True)
    assert from_export["source"].endswith("saved_model")
    assert [p["input"] for p in from_checkpoint["predictions"]] == users
    catalog = json.loads(Path(exported["catalog"]).read_text())
    model, _ = load_trained_model(config, from_checkpoint["source"])
    rows = [catalog["users"].index(user) for user in users]
    scores = model(tf.constant(rows, tf.int64)).numpy()
    pairs = zip(from_checkpoint["predictions"], from_export["predictions"], strict=True)
    for (a, b), row, user_scores in zip(pairs, rows, scores, strict=True):
        assert [i["item"] for i in a["items"]] == [i["item"] for i in b["items"]]
        listed = [i["score"] for i in a["items"]]
        assert listed == pytest.approx([i["score"] for i in b["items"]], abs=1e-5)
        items = [catalog["items"].index(i["item"]) for i in a["items"]]
        assert len(items) == 10 and not set(items) & set(catalog["seen"][row])
        assert listed == sorted(listed, reverse=True)
        unmet = np.setdiff1d(np.arange(len(catalog["items"])), catalog["seen"][row])
        assert min(listed) >= np.sort(user_scores[unmet])[-10] - 1e-5


@pytest.mark.parametrize("from_export", [False, True])
def test_an_unknown_user_is_one_line_before_any_model_is_loaded(
    trained, exported, monkeypatch, from_export
):
    config, result = trained

    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(predict_module, "load_trained_model", no_model)
    monkeypatch.setattr(predict_module.tf.saved_model, "load", no_model)
    run, known = Path(result["run_dir"]), _held_out(config, 1)
    with pytest.raises(ConfigError, match="unknown user id 'nobody'") as error:
        predict(config, run, [*known, "nobody"], checkpoint=None, exported=from_export)
    assert "\n" not in str(error.value)


def test_predict_from_a_run_without_an_export_says_how_to_make_one(trained, tmp_path):
    config, _ = trained
    with pytest.raises(ProjectError, match="export --run"):
        predict(config, tmp_path, ["u1"], checkpoint=None, exported=True)
