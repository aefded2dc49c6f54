import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.clips import synthetic_clips, write_wav
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


@pytest.fixture
def wav_files(tmp_path) -> list[str]:
    """Three clips at another rate and length than training's: predict conforms them."""
    waves, _ = synthetic_clips(3, sample_rate=22050, clip_seconds=1.3, seed=5)
    (tmp_path / "more").mkdir()
    paths = [tmp_path / "one.wav", tmp_path / "more" / "a.wav", tmp_path / "more" / "b.wav"]
    for path, wave in zip(paths, waves, strict=True):
        write_wav(path, wave, 22050)
    return [str(paths[0]), str(tmp_path / "more")]


def test_train_reports_the_baseline_it_must_beat(trained):
    config, result = trained
    assert result["num_classes"] == 6 and len(result["class_names"]) == 6
    assert set(result["baselines"]["majority"]) == {"accuracy", "macro_f1"}
    metrics = evaluate(config, Path(result["run_dir"]))
    assert metrics["val_loss"] == pytest.approx(result["best_val_loss"], rel=1e-5)
    assert 0.0 <= metrics["val_macro_f1"] <= 1.0
    json.dumps(result, allow_nan=False)


def test_the_export_takes_waveforms_of_any_batch(trained, exported):
    assert exported["class_names_match"] and exported["max_abs_diff"] < 1e-4
    assert exported["checked_shapes"] == [[8, 16000], [1, 16000]]
    config, result = trained
    model, _ = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    waves = synthetic_clips(5, sample_rate=16000, clip_seconds=1.0, seed=9)[0]
    outputs = serve(waveform=tf.constant(waves))
    np.testing.assert_allclose(outputs["logits"].numpy(), model(waves).numpy(), atol=1e-4)


def test_predict_agrees_between_checkpoint_and_export(trained, exported, wav_files):
    config, result = trained
    run = Path(result["run_dir"])
    from_checkpoint = predict(config, run, wav_files, checkpoint=None, exported=False)
    from_export = predict(config, run, wav_files, checkpoint=None, exported=True)
    assert from_export["source"].endswith("saved_model")
    names = [Path(p["input"]).name for p in from_checkpoint["predictions"]]
    assert names == ["one.wav", "a.wav", "b.wav"]
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["label"] == b["label"] and a["label"] in result["class_names"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_predict_refuses_bad_inputs(trained, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    with pytest.raises(ConfigError, match="no such file"):
        predict(config, run, [str(tmp_path / "missing.wav")], checkpoint=None, exported=False)
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(ConfigError, match="not a PCM WAV"):
        predict(config, run, [str(tmp_path / "notes.wav")], checkpoint=None, exported=False)
    bare = tmp_path / "bare"
    bare.mkdir()
    write_wav(bare / "x.wav", np.zeros(800), 8000)
    with pytest.raises(ProjectError, match="export --run"):
        predict(config, bare, [str(bare / "x.wav")], checkpoint=None, exported=True)
