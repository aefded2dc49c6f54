"""`predict` reads texts as a user has them and answers what the model answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import encode, load_texts
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer

from .sizes import prediction_inputs


def test_predictions_are_the_models_answers(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    [path] = prediction_inputs(config, tmp_path)
    result = predict(config, run, [path, "a good film"], checkpoint=None, exported=False)
    assert result["source"] == str(run / BEST)
    texts = [*load_texts(config.data, config.trainer.seed).val_texts[:5], "a good film"]
    state = load_checkpoint(run / BEST)
    ids = encode(TextTokenizer.from_str(state["tokenizer"]), texts, config.data.max_length)
    with torch.no_grad():
        probabilities = model_from_checkpoint(state)(ids).softmax(dim=1)
    for text, prediction, p in zip(texts, result["predictions"], probabilities, strict=True):
        assert prediction["input"] == text
        assert prediction["label"] == state["classes"][int(p.argmax())]
        assert prediction["probability"] == pytest.approx(float(p.max()), rel=1e-4)
