"""`predict` gives each image the class the model scores highest, from a checkpoint or an export."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.sources import load_image

from .sizes import prediction_inputs


def test_checkpoints_record_the_class_names(trained: tuple[Config, Path]) -> None:
    _, run = trained
    assert load_checkpoint(run / BEST)["classes"] == [str(i) for i in range(10)]


def test_predictions_are_the_models_argmax(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    paths = prediction_inputs(config, tmp_path / "images")
    result = predict(config, run, paths, checkpoint=None, exported=False)
    assert result["source"] == str(run / BEST)
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    images = torch.stack([load_image(Path(p), 28, "L") for p in paths])
    with torch.no_grad():
        probabilities = model(images).softmax(dim=1)
    for prediction, row, path in zip(result["predictions"], probabilities, paths, strict=True):
        assert prediction["input"] == path
        assert prediction["label"] == str(int(row.argmax()))
        assert prediction["probability"] == pytest.approx(float(row.max()), rel=1e-5)


def test_bad_inputs_are_one_line(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    with pytest.raises(ProjectError, match="no image at"):
        predict(config, run, [str(tmp_path / "missing.png")], checkpoint=None, exported=False)
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ProjectError, match="is not a readable image"):
        predict(config, run, [str(tmp_path / "notes.png")], checkpoint=None, exported=False)
