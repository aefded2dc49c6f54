import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import spec_mismatch, spec_to_text
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer

TEXTS = ["the film was really great", "an awful and boring plot", "not good"]


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


def test_train_reports_the_baseline_it_must_beat(trained):
    config, result = trained
    assert result["class_names"] == ["negative", "positive"] and result["num_classes"] == 2
    assert set(result["baselines"]["majority"]) == {"accuracy", "macro_f1"}
    metrics = evaluate(config, Path(result["run_dir"]))
    assert result["best_metric"] == "val_loss"  # the default: the epoch with the lowest loss
    assert metrics["val_loss"] == pytest.approx(result["best_val_loss"], rel=1e-5)
    json.dumps(result, allow_nan=False)


def test_the_export_takes_any_batch_and_length(trained, exported):
    assert exported["tokenizer_ids_match"] and exported["class_names_match"]
    assert exported["max_abs_diff"] < 1e-5 and len(exported["checked_shapes"]) == 2
    assert exported["classes"] == ["negative", "positive"]
    config, result = trained
    model, _ = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    tokenizer = TextTokenizer.load(Path(exported["tokenizer"]))
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    for texts, extra in ((TEXTS, 0), (TEXTS[:1], 7)):
        ids = np.pad(tokenizer.encode(texts, 64), ((0, 0), (0, extra)))
        outputs = serve(token_ids=tf.constant(ids, tf.int32))
        np.testing.assert_allclose(outputs["logits"].numpy(), model(ids).numpy(), atol=1e-5)


def test_predict_agrees_between_checkpoint_and_export(trained, exported, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    lines = tmp_path / "lines.txt"
    lines.write_text("\n".join(TEXTS[1:]) + "\n\n", encoding="utf-8")
    inputs = [TEXTS[0], str(lines)]
    from_checkpoint = predict(config, run, inputs, checkpoint=None, exported=False)
    from_export = predict(config, run, inputs, checkpoint=None, exported=True)
    assert from_export["source"].endswith("saved_model")
    assert [p["input"] for p in from_checkpoint["predictions"]] == TEXTS
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["label"] == b["label"] and a["label"] in ("negative", "positive")
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_a_checkpoint_of_other_texts_is_refused(trained, tmp_path):
    config, result = trained
    _, spec = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    other = TextTokenizer.train(["entirely different words here"], vocab_size=30)
    changed = type(spec)(classes=spec.classes, tokenizer_json=other.to_str())
    assert "tokenizer" in spec_mismatch(spec, changed)
    assert "classes" in spec_mismatch(spec, type(spec)(["a", "b"], spec.tokenizer_json))
    assert spec_mismatch(spec, spec) is None and spec_to_text(spec)


def test_predict_refuses_bad_inputs(trained, tmp_path):
    config, result = trained
    with pytest.raises(ConfigError, match="nothing to classify"):
        predict(config, Path(result["run_dir"]), ["  "], checkpoint=None, exported=False)
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ProjectError, match="export --run"):
        predict(config, bare, TEXTS, checkpoint=None, exported=True)
