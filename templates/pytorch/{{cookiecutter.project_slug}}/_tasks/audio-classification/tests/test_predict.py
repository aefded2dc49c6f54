"""`predict` reads WAV files as a user has them and answers what the model answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.clips import load_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict

from .sizes import prediction_inputs


def test_predictions_are_the_models_answers(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    inputs = prediction_inputs(config, tmp_path)
    result = predict(config, run, inputs, checkpoint=None, exported=False)
    assert result["source"] == str(run / BEST)
    names = [p["input"] for p in result["predictions"]]
    assert [Path(n).name for n in names] == ["one.wav", "a.wav", "b.wav"]
    state = load_checkpoint(run / BEST)
    waves = torch.stack([torch.from_numpy(load_wav(Path(n), 8000, 0.5)) for n in names])
    with torch.no_grad():
        probabilities = model_from_checkpoint(state)(waves).softmax(dim=1)
    for prediction, row in zip(result["predictions"], probabilities, strict=True):
        assert prediction["label"] == state["classes"][int(row.argmax())]
        assert prediction["probability"] == pytest.approx(float(row.max()), rel=1e-5)


def test_bad_inputs_are_one_line(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    with pytest.raises(ConfigError, match="no such file"):
        predict(config, run, [str(tmp_path / "missing.wav")], checkpoint=None, exported=False)
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(ConfigError, match="not a PCM WAV") as error:
        predict(config, run, [str(tmp_path / "notes.wav")], checkpoint=None, exported=False)
    assert "\n" not in str(error.value)
