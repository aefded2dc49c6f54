"""Generate the PyTorch project for the `audio-classification` task, install it as its printed steps
say, and run what a user runs: its tests, training the default model on a folder of WAV files of
their own (one sub-folder per class of tones, at two sample rates and several lengths), evaluate
beside the majority baseline, export, predict WAV files from the checkpoint and the export, bad
settings and sources, Ctrl-C then `--resume` with SpecAugment masking on, and a two-process
torchrun."""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, Recorder, interrupt, last_json, one_line, rows
from installs import SharedInstalls, task_install
from wav_tones import PITCHES, RATE, write_tone, write_tones

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("pytorch", "audio-classification")
INSTALLS = (INSTALL,)

PACKAGE = "audio_classifier"
COMMAND = "audio-classifier"
SECONDS = 0.5  # small clips at 8 kHz: 4,000 samples, 26 frames of 40 mel bands
SHORT = ("--set", f"data.sample_rate={RATE}", "--set", f"data.clip_seconds={SECONDS}")
TONES = ("--set", "data.source=data/tones", *SHORT)
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")
# 160 steps per epoch of synthetic clips with both masks on: a signal a moment after the first
# epoch's record lands mid-run, and the masks' random draws must resume exactly too.
STOPPABLE = (
    *SHORT,
    *("--set", "data.num_samples=3200", "--set", "data.batch_size=16"),
    *("--set", "model.freq_mask=8", "--set", "model.time_mask=6", "--set", "trainer.epochs=3"),
)
CURVE = ("epoch", "train_loss", "val_loss", "val_accuracy", "val_macro_f1", "lr")


def curves(run: Path) -> list[float]:
    return [float(r[k]) for r in rows(run) for k in CURVE]


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_tones(env.root / "data" / "tones", per_class=50, seed=0)
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, record_learned: Recorder) -> dict:
    """The default model, eight epochs on the WAV folder: the run later tests evaluate, export and
    predict with."""
    return record_learned(
        env,
        "pytorch audio-classification on the WAV tones",
        env.run_json(COMMAND, "train", *TONES, "--set", "trainer.epochs=8"),
    )


def test_a_wav_folder_trains_well_above_chance(trained: dict) -> None:
    majority = trained["baselines"]["majority"]
    print(
        f"\nWAV tones, 4 classes, {trained['epochs_completed']} epochs: val_accuracy "
        f"{trained['val_accuracy']:.3f}, val_macro_f1 {trained['val_macro_f1']:.3f}, majority "
        f"baseline accuracy {majority['accuracy']:.3f} (macro-F1 {majority['macro_f1']:.3f})"
    )
    assert trained["num_classes"] == 4 and trained["epochs_completed"] == 8
    assert majority["accuracy"] < 0.4  # four balanced classes
    assert trained["val_accuracy"] > 0.8, trained
    assert trained["val_macro_f1"] > 0.8, trained


def test_evaluate_reproduces_the_recorded_best(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate")
    assert result["run_dir"] == trained["run_dir"]
    assert result["loss"] == pytest.approx(trained["best_value"], rel=1e-5)
    assert result["accuracy"] == pytest.approx(result["recorded_val_accuracy"], abs=1e-9)
    assert result["macro_f1"] == pytest.approx(result["recorded_val_macro_f1"], abs=1e-9)


def test_export_then_predict_wav_files_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    exported = env.run(COMMAND, "export", "--run", run)
    assert exported.stderr == ""  # no warning from torch.export's save
    result = last_json(exported.stdout)
    assert result["max_abs_diff"] <= result["atol"]
    assert result["classes"] == sorted(PITCHES)
    assert result["inputs"] == {"waveforms": f"float32 [batch, {round(RATE * SECONDS)}] at 8000 Hz"}

    new = env.root / "data" / "new"
    written = write_tones(new, per_class=3, seed=1)
    args = ("predict", str(new / "hum"), str(new / "horn"), str(new / "beep"), str(new / "whistle"))
    predicted = env.run_json(COMMAND, *args, "--run", run)
    assert predicted["source"] == str(Path(run) / "best.pt")
    assert [p["input"] for p in predicted["predictions"]] == [str(path) for path, _ in written]
    hits = [
        p["label"] == label for p, (_, label) in zip(predicted["predictions"], written, strict=True)
    ]
    assert sum(hits) >= 10, predicted  # of 12 new clips
    from_export = env.run_json(COMMAND, *args, "--run", run, "--exported")
    assert from_export["source"] == result["pt2"]
    for a, b in zip(from_export["predictions"], predicted["predictions"], strict=True):
        assert a["input"] == b["input"] and a["label"] == b["label"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere", "does not exist"),
        ("data.source=data/broken", "broken.wav: not a PCM WAV file"),
        ("model.n_fft=8192", "model.n_fft = 8192 is longer than a clip (4000 samples"),
        ("model.freq_mask=40", "model.freq_mask must be below model.n_mels = 40"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(env: ProjectEnv, setting: str, message: str) -> None:
    broken = env.root / "data" / "broken"
    for label in ("a", "b"):
        (broken / label).mkdir(parents=True, exist_ok=True)
        write_tone(broken / label / "fine.wav", 440, random.Random(0))
    (broken / "b" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio")
    runs = sorted((env.root / "runs").glob("*")) if (env.root / "runs").is_dir() else []
    result = env.run(COMMAND, "train", *TONES, "--set", setting, check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and message in line, line
    assert sorted((env.root / "runs").glob("*")) == runs  # no run directory for a failed start


@pytest.fixture(scope="module")
def unbroken(env: ProjectEnv) -> Path:
    args = (COMMAND, "train", *STOPPABLE, "--set", "trainer.run_name=unbroken")
    return Path(env.run_json(*args)["run_dir"])


def test_ctrl_c_then_resume_equals_the_unbroken_run(env: ProjectEnv, unbroken: Path) -> None:
    run = env.root / "runs" / "stopped"
    args = (COMMAND, "train", *STOPPABLE, "--set", f"trainer.run_name={run.name}")
    code, stderr = interrupt(env, args, signal.SIGINT, run)
    assert code == 130, stderr[-3000:]
    assert "stopped by SIGINT" in stderr.strip().splitlines()[-1]
    result = env.run_json(COMMAND, "train", "--resume", str(run))
    assert result["epochs_completed"] == 3
    assert curves(run) == pytest.approx(curves(unbroken), rel=1e-6, abs=1e-7)


def test_torchrun_two_processes_then_evaluate(env: ProjectEnv) -> None:
    args = (*STOPPABLE, "--set", "trainer.epochs=1", "--set", "trainer.run_name=ddp")
    result = last_json(env.run(*TORCHRUN, *args).stdout)
    assert result["world_size"] == 2 and result["epochs_completed"] == 1
    evaluated = env.run_json(COMMAND, "evaluate", "--run", result["run_dir"])
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)
    assert evaluated["macro_f1"] == pytest.approx(evaluated["recorded_val_macro_f1"], abs=1e-9)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
