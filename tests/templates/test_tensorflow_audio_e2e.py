"""Generate the TensorFlow project for the `audio-classification` task, install it as its printed
steps say, and run what a user runs: its tests, training the default model on a folder of WAV
files (one sub-folder per class of tones, two sample rates, several lengths), evaluate, export a
SavedModel that takes raw waveforms, predict WAV files from the checkpoint and the export, a bad
source, SIGINT then `--resume` with SpecAugment masking on, and a two-worker
MultiWorkerMirroredStrategy run."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests, Recorder
from installs import SharedInstalls, task_install
from test_tensorflow_e2e import curves, rows, sets
from wav_tones import PITCHES, RATE, write_tone, write_tones

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "audio-classification")
INSTALLS = (INSTALL,)

COMMAND = "audio-classifier"
TIMEOUT = 600
SHORT = (f"data.sample_rate={RATE}", "data.clip_seconds=0.5")
TONES = ("data.source=tones", *SHORT)
# About 75 steps per epoch with both masks on: a signal a moment after training starts lands
# mid-run, and the masks' random draws must resume exactly too.
LONG = (*SHORT, "data.num_samples=3000", "trainer.epochs=2")
MASKS = ("model.freq_mask=8", "model.time_mask=6")


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_tones(env.root / "tones", per_class=50, seed=0)
    return env


@pytest.fixture(scope="module")
def tones_run(env: ProjectEnv, record_learned: Recorder) -> dict:
    overrides = (*TONES, "trainer.epochs=8", "trainer.run_name=tones")
    result = env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)
    return record_learned(env, "tensorflow audio-classification on the WAV tones", result)


def test_a_wav_folder_trains_well_above_chance(tones_run: dict) -> None:
    majority = tones_run["baselines"]["majority"]
    print(
        f"\nWAV tones, 4 classes, {tones_run['epochs_completed']} epochs: val_accuracy "
        f"{tones_run['val_accuracy']:.3f}, val_macro_f1 {tones_run['val_macro_f1']:.3f}, majority "
        f"baseline accuracy {majority['accuracy']:.3f} (macro-F1 {majority['macro_f1']:.3f})"
    )
    assert tones_run["epochs_completed"] == 8 and tones_run["class_names"] == sorted(PITCHES)
    assert majority["accuracy"] < 0.4  # four balanced classes
    assert tones_run["val_accuracy"] > 0.8, tones_run
    assert tones_run["val_macro_f1"] > 0.8, tones_run


def test_evaluate_reproduces_the_best_epoch(env: ProjectEnv, tones_run: dict) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", tones_run["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / tones_run["run_dir"])[tones_run["best_epoch"] - 1]
    for name in ("val_loss", "val_accuracy", "val_macro_f1"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name


def test_export_then_predict_wav_files_from_the_checkpoint_and_the_export(
    env: ProjectEnv, tones_run: dict
) -> None:
    run = tones_run["run_dir"]
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    assert exported["max_abs_diff"] < 1e-4 and exported["class_names_match"]
    assert exported["checked_shapes"][0][1] == RATE // 2  # 0.5 s of samples
    written = write_tones(env.root / "new", per_class=3, seed=1)
    args = ("predict", "--run", run, *(f"new/{label}" for label in PITCHES))
    from_checkpoint = env.run_json(COMMAND, *args, timeout=TIMEOUT)
    from_export = env.run_json(COMMAND, *args, "--exported", timeout=TIMEOUT)
    assert from_export["source"] == exported["saved_model"]
    predictions = from_checkpoint["predictions"]
    assert [Path(p["input"]).name for p in predictions] == [path.name for path, _ in written]
    hits = sum(p["label"] == label for p, (_, label) in zip(predictions, written, strict=True))
    assert hits >= 10, predictions  # of 12 new clips
    for a, b in zip(predictions, from_export["predictions"], strict=True):
        assert a["input"] == b["input"] and a["label"] == b["label"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_a_file_that_is_not_wav_is_one_line(env: ProjectEnv) -> None:
    broken = env.root / "broken"
    for label in ("a", "b"):
        (broken / label).mkdir(parents=True, exist_ok=True)
        write_tone(broken / label / "fine.wav", 440, random.Random(0))
    (broken / "b" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio")
    runs = sorted((env.root / "runs").iterdir())
    result = env.run(COMMAND, "train", *sets("data.source=broken", *SHORT), check=False)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and result.stdout == "" and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{COMMAND}: ") and "broken.wav: not a PCM WAV file" in lines[0]
    assert sorted((env.root / "runs").iterdir()) == runs  # no run directory for a failed start


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, (*LONG, *MASKS), delay=0.0)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    overrides = (*TONES, "trainer.epochs=1", "trainer.run_name=two-workers")
    agreed = ("train_loss", "val_loss", "val_accuracy", "val_macro_f1")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
