"""What a text run keeps besides the common files: its tokenizer and classes, the baseline, and
predictions on raw texts."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.tokenizer import TOKENIZER, TextTokenizer
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=3, tensorboard=False, lr=3e-3)
    cfg.data.num_samples = 600
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def test_the_model_beats_the_majority_class(trained) -> None:
    _, run, result = trained
    assert result["num_classes"] == 2 and result["classes"] == ["negative", "positive"]
    assert result["val_accuracy"] > result["baselines"]["majority"]["accuracy"] + 0.1
    assert 0.5 < result["val_macro_f1"] <= 1.0
    TextTokenizer.load(run / TOKENIZER)  # the run's tokenizer is a file the library reads


def test_evaluate_reports_the_baseline(trained) -> None:
    cfg, run, result = trained
    evaluated = evaluate(cfg, run)
    assert evaluated["baselines"] == result["baselines"]
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)
    assert set(evaluated) >= {"accuracy", "macro_f1", "num_classes"}


def test_export_and_predict_texts_from_checkpoint_and_export(trained, tmp_path) -> None:
    cfg, run, _ = trained
    exported = export(cfg, run)
    assert exported["max_abs_diff"] < 1e-4
    assert json.loads(Path(exported["labels"]).read_text()) == ["negative", "positive"]
    TextTokenizer.load(Path(exported["tokenizer"]))
    lines = tmp_path / "texts.txt"
    lines.write_text("a lovely film\n\nthe plot was not good\n")
    inputs = ["the acting was awful", str(lines)]
    first, second = (predict(cfg, run, inputs, None, e) for e in (False, True))
    assert [p["input"] for p in first["predictions"]] == [
        "the acting was awful", "a lovely film", "the plot was not good"
    ]  # fmt: skip
    assert second["source"].endswith(("saved_model", ".onnx"))
    for mine, theirs in zip(first["predictions"], second["predictions"], strict=True):
        assert mine["label"] == theirs["label"] and mine["label"] in ("negative", "positive")
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)


def test_predict_batches_texts_of_any_length(trained) -> None:
    cfg, run, _ = trained
    cfg.data.batch_size = 2
    texts = ["good", "the film was really very bad and the music was awful", "fine", "poor"]
    result = predict(cfg, run, texts, None, False)
    assert [p["input"] for p in result["predictions"]] == texts


def test_evaluate_refuses_other_texts(trained, tmp_path) -> None:
    cfg, run, _ = trained
    (tmp_path / "other.csv").write_text("text,label\n" + "a b,x\nc d,y\n" * 10)
    cfg.data.source = str(tmp_path / "other.csv")
    with pytest.raises(ConfigError, match="trained with"):
        evaluate(cfg, run)
