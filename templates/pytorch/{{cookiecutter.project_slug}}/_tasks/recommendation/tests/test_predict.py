"""`predict` takes user ids as a user has them and answers what the model answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }} import predict as predict_module
from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict

from .sizes import prediction_inputs


def test_recommendations_are_the_best_scored_items_the_user_has_not_met(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    inputs = prediction_inputs(config, tmp_path)
    result = predict(config, run, inputs, checkpoint=None, exported=False)
    assert result["source"] == str(run / BEST)
    assert [p["input"] for p in result["predictions"]] == inputs
    state = load_checkpoint(run / BEST)
    catalog = state["catalog"]
    rows = [catalog["users"].index(user) for user in inputs]
    with torch.no_grad():
        scores = model_from_checkpoint(state)(torch.tensor(rows)).numpy()
    for prediction, row, user_scores in zip(result["predictions"], rows, scores, strict=True):
        items = [catalog["items"].index(i["item"]) for i in prediction["items"]]
        assert len(items) == 10 and not set(items) & set(catalog["seen"][row])
        listed = [i["score"] for i in prediction["items"]]
        assert listed == sorted(listed, reverse=True)
        assert listed == pytest.approx(user_scores[items].tolist(), rel=1e-6)
        unmet = np.setdiff1d(np.arange(len(catalog["items"])), catalog["seen"][row])
        assert min(listed) >= np.sort(user_scores[unmet])[-10] - 1e-6


def test_an_unknown_user_is_one_line_before_any_model_is_loaded(
    trained: tuple[Config, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, run = trained

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(predict_module, "model_from_checkpoint", no_model)
    with pytest.raises(ConfigError, match="unknown user id 'nobody'") as error:
        predict(config, run, ["u1", "nobody"], checkpoint=None, exported=False)
    assert "\n" not in str(error.value)
