"""End to end, the Keras template's audio-classification task: generate with `scaffold new --set
task=audio-classification`, install with the printed step (TensorFlow backend; JAX and PyTorch
beside it), run the project's tests, train on a folder of WAV files of tones (`wav_tones.py`, the
clips every template's audio e2e trains on), stop a real run with a signal and resume it,
evaluate with the baseline, export, and predict WAV files from the checkpoint and from the
export; on JAX the same through jax2tf and data-parallel training over two CPU devices; on
PyTorch, the export's one-line refusal."""

from __future__ import annotations

import json
import random
import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, Recorder, interrupt, one_line, rows
from installs import KerasTask, KerasTaskProjects, SharedInstalls, install_keras_task
from wav_tones import PITCHES, write_tone, write_tones

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("audio-classification", "Audio {backend} e2e")
INSTALLS = PROJECTS.installs

BACKENDS = ("tensorflow", "jax", "torch")
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
CLASSES = sorted(PITCHES)
PER_CLASS = 60
# Short clips keep every run to seconds: the files are 0.3 to 0.7 s long, at 8 or 16 kHz, and the
# project resamples them to 8 kHz and crops or pads them to 0.5 s.
SHORT_CLIPS = ("--set", "data.sample_rate=8000", "--set", "data.clip_seconds=0.5")
# Masking on: resuming must also restore the masks' seed generator.
MASKED = ("--set", "model.freq_mask=4", "--set", "model.time_mask=4")
EPOCHS = 4


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    return install_keras_task(tmp_path_factory, shared_installs, PROJECTS)


def cmd(project: ProjectEnv) -> str:
    return project.root.name


def on_tones(project: ProjectEnv) -> tuple[str, ...]:
    folder = project.root / "tones"
    if not folder.is_dir():
        write_tones(folder, per_class=PER_CLASS, seed=5)
    return ("--set", f"data.source={folder}", *SHORT_CLIPS)


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


def trained_args(project: ProjectEnv, name: str) -> tuple[str, ...]:
    return (cmd(project), "train", *on_tones(project), *MASKED, "--set", f"trainer.epochs={EPOCHS}",
            "--set", f"trainer.run_name={name}", "--set", "trainer.best_metric=val_accuracy",
            "--set", "trainer.best_mode=max")  # fmt: skip


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv, record_learned: Recorder) -> dict:
    """EPOCHS epochs on the written tones, masking on: the reference for evaluate, resume, export
    and predict."""
    result = tf_project.run_json(*trained_args(tf_project, "tones"))
    return record_learned(
        tf_project, "keras (tensorflow) audio-classification on the WAV tones", result
    )


def test_the_tones_are_learned_well_above_chance(tf_project: ProjectEnv, trained: dict) -> None:
    assert trained["classes"] == CLASSES and trained["num_classes"] == 4
    majority = trained["baselines"]["majority"]
    assert trained["val_accuracy"] > max(0.8, majority["accuracy"] + 0.4), trained
    assert trained["val_macro_f1"] > 0.8
    print(
        f"keras/tensorflow WAV tones: val_accuracy {trained['val_accuracy']:.3f}, macro-F1 "
        f"{trained['val_macro_f1']:.3f} (majority {majority['accuracy']:.3f} / "
        f"{majority['macro_f1']:.3f}) in {EPOCHS} epochs, {trained['wall_s']} s"
    )
    run = tf_project.root / trained["run_dir"]
    assert json.loads((run / "classes.json").read_text()) == CLASSES
    evaluated = tf_project.run_json(cmd(tf_project), "evaluate", "--run", trained["run_dir"])
    assert evaluated["accuracy"] == pytest.approx(trained["best_value"], rel=1e-6)
    assert evaluated["baselines"] == trained["baselines"]
    assert evaluated["num_samples"] == round(len(CLASSES) * PER_CLASS * 0.2)


def test_a_signal_stops_a_real_run_and_resume_matches(
    tf_project: ProjectEnv, trained: dict
) -> None:
    run = tf_project.root / "runs" / "cut"
    code, err = interrupt(tf_project, trained_args(tf_project, "cut"), signal.SIGINT, run)
    assert code == 130, err[-3000:]
    assert "stopped by SIGINT" in one_line(err)
    resumed = tf_project.run_json(cmd(tf_project), "train", "--resume", str(run))
    assert resumed["epochs_completed"] == EPOCHS and resumed["epochs_this_run"] < EPOCHS
    straight = tf_project.root / trained["run_dir"]
    assert len(rows(run)) == len(rows(straight)) == EPOCHS
    for mine, theirs in zip(rows(run), rows(straight), strict=True):
        for key in ("train_loss", "val_loss", "val_accuracy", "val_macro_f1"):
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)


def new_clips(project: ProjectEnv) -> Path:
    """One tone of each class in the middle of its pitch band, recorded otherwise than the
    training clips (22.05 kHz, which the project resamples)."""
    rng, folder = random.Random(9), project.root / "new_clips"
    folder.mkdir(exist_ok=True)
    for label, (low, high) in PITCHES.items():
        write_tone(folder / f"{label}.wav", (low + high) / 2, rng, rate=22050)
    return folder


def predict_both_ways(project: ProjectEnv, run_dir: str) -> list[dict]:
    """The predictions for new_clips from the checkpoint, checked against the export's."""
    folder = new_clips(project)
    results = [
        project.run_json(cmd(project), "predict", str(folder), "--run", run_dir, *flag)
        for flag in ((), ("--exported",))
    ]
    first, second = (r["predictions"] for r in results)
    assert [Path(p["input"]).stem for p in first] == CLASSES
    for mine, theirs in zip(first, second, strict=True):
        assert mine["label"] == theirs["label"]
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)
    return first


def test_export_and_predict_wav_files(tf_project: ProjectEnv, trained: dict) -> None:
    run_dir = trained["run_dir"]
    missing = tf_project.run(cmd(tf_project), "predict", str(new_clips(tf_project)),
                             "--run", run_dir, "--exported", check=False)  # fmt: skip
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    exported = tf_project.run_json(cmd(tf_project), "export", "--run", run_dir)
    assert exported["format"] == "tf_saved_model" and exported["max_abs_diff"] < 1e-4
    assert json.loads((tf_project.root / exported["labels"]).read_text()) == CLASSES
    predictions = predict_both_ways(tf_project, run_dir)
    assert [p["label"] for p in predictions] == CLASSES


def not_a_wav(project: ProjectEnv) -> str:
    folder = project.root / "broken"
    (folder / "hum").mkdir(parents=True, exist_ok=True)
    (folder / "hum" / "notes.wav").write_text("not audio")
    return f"data.source={folder}"


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        (lambda project: "data.source=no/such/folder", "does not exist"),
        (not_a_wav, "not a PCM WAV"),
        (lambda project: "model.n_mels=200", "model.n_mels"),
        (lambda project: "model.widths=[]", "model.widths"),
    ],
    ids=["missing-folder", "not-a-wav", "too-many-mels", "no-blocks"],
)
def test_a_bad_setting_or_source_is_one_line_and_leaves_no_run(
    tf_project: ProjectEnv, setting, named: str
) -> None:
    runs = tf_project.root / "refused-runs"
    refused = tf_project.run(cmd(tf_project), "train", "--set", setting(tf_project),
                             "--set", f"trainer.runs_dir={runs}", check=False)  # fmt: skip
    assert refused.returncode == 2 and named in one_line(refused.stderr)
    assert not runs.exists()


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_resume_export_and_predict_on_other_backends(
    installed: KerasTask, backend: str
) -> None:
    project = installed.projects[backend]
    args = (*on_tones(project), *MASKED, "--set", "trainer.run_name=short",
            "--set", "trainer.tensorboard=false")  # fmt: skip
    first = project.run_json(cmd(project), "train", *args, "--set", "trainer.epochs=1")
    assert first["backend"] == backend
    resumed = project.run_json(cmd(project), "train", "--resume", first["run_dir"],
                               "--set", "trainer.epochs=3")  # fmt: skip
    assert resumed["epochs_completed"] == 3 and resumed["val_accuracy"] > 0.8, resumed
    print(f"keras/{backend} WAV tones: val_accuracy {resumed['val_accuracy']:.3f} in 3 epochs")
    run_dir = first["run_dir"]
    if backend == "torch":  # the ONNX exporter cannot trace the complex STFT: refused, unwritten
        refused = project.run(cmd(project), "export", "--run", run_dir, check=False)
        assert refused.returncode == 1 and "PyTorch backend" in one_line(refused.stderr)
        assert not (project.root / run_dir / "export").exists()
        predicted = project.run_json(cmd(project), "predict", str(new_clips(project)),
                                     "--run", run_dir)["predictions"]  # fmt: skip
    else:  # a SavedModel through jax2tf
        exported = project.run_json(cmd(project), "export", "--run", run_dir)
        assert exported["format"] == "tf_saved_model" and exported["max_abs_diff"] < 1e-4
        predicted = predict_both_ways(project, run_dir)
    assert [p["label"] for p in predicted] == CLASSES
    if backend == "jax":  # the 192 training clips split over two CPU devices
        dp = project.run_json(cmd(project), "train", *on_tones(project), "--set", "trainer.epochs=2",
                              "--set", "trainer.run_name=dp", "--set", "trainer.tensorboard=false",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        assert dp["val_accuracy"] > 0.8, dp
        evaluated = project.run_json(cmd(project), "evaluate", "--run", "runs/dp")
        assert evaluated["loss"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    installed.tests.result()
