"""What export and predict promise whatever the task: a checked program, the same predictions from
it as from the checkpoint, ONNX, and one line for a missing export."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.inference import load_predictor
from {{ cookiecutter.package_name }}.predict import predict
{% if cookiecutter.task != "generative" %}

from .sizes import prediction_inputs
{% endif %}


def agree(a: object, b: object) -> bool:
    """The same answer: equal names and labels, and numbers within 1e-5, however nested."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(agree(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, abs=1e-5)
    return a == b


def test_export_writes_a_checked_program_into_the_run(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    assert result["max_abs_diff"] <= result["atol"] and result["dynamic_batch"]
    assert Path(result["pt2"]) == run / "export" / "model.pt2"


def test_the_exported_program_predicts_what_the_checkpoint_predicts(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
{% if cookiecutter.task == "generative" %}
    export(config, run)
    exported = predict(config, run, tmp_path / "exported", 4, seed=1, exported=True)
    eager = predict(config, run, tmp_path / "eager", 4, seed=1)
    assert len(exported["images"]) == len(eager["images"]) == 4
    for a, b in zip(exported["images"], eager["images"], strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes()
{% else %}
    inputs = prediction_inputs(config, tmp_path)
    export(config, run)
    exported = predict(config, run, inputs, checkpoint=None, exported=True)
    eager = predict(config, run, inputs, checkpoint=None, exported=False)
    assert exported["source"] == str(run / "export" / "model.pt2")
    assert len(exported["predictions"]) == len(eager["predictions"]) > 0
    for a, b in zip(exported["predictions"], eager["predictions"], strict=True):
        assert agree(a, b), (a, b)
{% endif %}


def test_onnx_export_when_the_extra_is_installed(trained: tuple[Config, Path]) -> None:
    pytest.importorskip("onnxscript", reason='needs the onnx extra: pip install -e ".[onnx]"')
    config, run = trained
    config = copy.deepcopy(config)
    config.export.onnx = True
    result = export(config, run)
    assert Path(result["onnx"]).is_file() and result["onnx_max_abs_diff"] <= result["atol"]


def test_predicting_from_a_missing_export_names_the_export_command(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="run `{{ cookiecutter.project_slug }} export` first"):
        load_predictor(tmp_path, checkpoint=None, exported=True)
