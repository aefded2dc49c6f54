"""What an audio run keeps besides the common files: the class names of a folder of WAV files,
the baseline, the export of raw waveforms, and predictions on WAV files."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.clips import write_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.train import train

RATE = 8000
TONES = {"high": 2400.0, "low": 300.0, "mid": 900.0}  # Hz


def write_tones(root: Path, per_class: int = 20) -> Path:
    """One folder per class of half-second tones near its pitch, at a random loudness, onset and
    phase, over noise."""
    rng = np.random.default_rng(0)
    t = np.arange(RATE // 2) / RATE
    for name, hz in TONES.items():
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            tone = np.sin(2 * np.pi * hz * rng.uniform(0.95, 1.05) * t + rng.uniform(0, 6.3))
            tone[: int(rng.integers(0, RATE // 8))] = 0.0
            clip = rng.uniform(0.1, 0.8) * tone + 0.01 * rng.standard_normal(len(t))
            write_wav(root / name / f"{i}.wav", clip, RATE)
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    root = tmp_path_factory.mktemp("audio")
    cfg = small_config(root / "runs", epochs=3, tensorboard=False)
    cfg.data.source = str(write_tones(root / "tones"))
    cfg.data.batch_size = 8
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def test_folder_classes_are_learned_beyond_the_majority_class(trained) -> None:
    _, run, result = trained
    assert result["classes"] == ["high", "low", "mid"] and result["num_classes"] == 3
    assert json.loads((run / "classes.json").read_text()) == ["high", "low", "mid"]
    assert result["val_accuracy"] > result["baselines"]["majority"]["accuracy"] + 0.2
    assert 0 < result["val_macro_f1"] <= 1


def test_evaluate_reports_the_baseline(trained) -> None:
    cfg, run, result = trained
    evaluated = evaluate(cfg, run)
    assert evaluated["baselines"] == result["baselines"] and evaluated["num_samples"] == 12
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)


def losses(run: Path) -> list[float]:
    """The training and validation loss of every epoch of a run, in order."""
    with (run / "metrics.csv").open(newline="") as f:
        return [float(row[key]) for row in csv.DictReader(f) for key in ("train_loss", "val_loss")]


def test_resume_with_masking_equals_an_unbroken_run(small_config, tmp_path) -> None:
    """The masks come from a seed generator that the resumable state saves, so a resumed run
    draws the masks an unbroken one draws."""
    runs = []
    for name, epochs in (("straight", 2), ("resumed", 1)):
        cfg = small_config(tmp_path / "runs", epochs=epochs, tensorboard=False, run_name=name)
        cfg.data.num_samples = 128
        cfg.model.freq_mask, cfg.model.time_mask = 6, 8
        runs.append(Path(train(cfg)["run_dir"]))
    cfg.trainer.epochs = 2
    train(cfg, resume=runs[1])
    straight, resumed = (losses(run) for run in runs)
    assert len(resumed) == 4 and resumed == pytest.approx(straight, rel=1e-5)


{% if cookiecutter.backend != "torch" %}
def test_export_and_predict_wav_files_from_checkpoint_and_export(trained, tmp_path) -> None:
    cfg, run, _ = trained
    folder = Path(cfg.data.source)
    inputs = [str(folder / "low" / "0.wav"), str(folder / "high")]
    with pytest.raises(ProjectError, match="export` first"):
        predict(cfg, run, inputs, None, True)
    exported = export(cfg, run)
    assert exported["max_abs_diff"] < 1e-4
    assert json.loads(Path(exported["labels"]).read_text()) == ["high", "low", "mid"]
    first, second = (predict(cfg, run, inputs, None, e) for e in (False, True))
    names = [p["input"] for p in first["predictions"]]
    assert names[0].endswith("low/0.wav") and len(names) == 21
    assert second["source"].endswith("saved_model")
    for mine, theirs in zip(first["predictions"], second["predictions"], strict=True):
        assert mine["label"] == theirs["label"]
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)
{% else %}
def test_the_pytorch_backend_refuses_the_export_before_writing(trained) -> None:
    cfg, run, _ = trained
    with pytest.raises(ProjectError, match="PyTorch backend") as refused:
        export(cfg, run)
    assert "\n" not in str(refused.value) and not (run / "export").exists()
{% endif %}


def test_predict_refuses_what_is_not_a_wav_file(trained, tmp_path) -> None:
    cfg, run, _ = trained
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(ConfigError, match="not a PCM WAV"):
        predict(cfg, run, [str(tmp_path / "notes.wav")], None, False)
    with pytest.raises(ConfigError, match="no such file"):
        predict(cfg, run, [str(tmp_path / "missing.wav")], None, False)
