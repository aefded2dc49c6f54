"""End to end, the Keras template's generative task: generate with `scaffold new --set
task=generative`, install with the printed step (TensorFlow backend; JAX and PyTorch beside it),
run the project's tests, train the default VAE on a folder of pictures (`shape_images.py`, the
folder every template's generative e2e trains on) well below the mean-image baseline, evaluate,
stop a real run with a signal and resume it to the same curves and sample grids, export the
sampler, draw new images from the checkpoint and from the export, refuse a folder in use and bad
sources in one line; on JAX the same through jax2tf and data-parallel training over two CPU
devices; on PyTorch through ONNX."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest
from harness import ProjectEnv, Recorder, interrupt, one_line, rows
from installs import KerasTask, KerasTaskProjects, SharedInstalls, install_keras_task
from PIL import Image
from shape_images import write_pictures

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("generative")
INSTALLS = PROJECTS.installs

BACKENDS = ("tensorflow", "jax", "torch")
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
COMMAND = "image-generator"
# 288 training pictures: batches of 16 give 18 steps an epoch (the default 64, 4).
FOLDER = ("--set", "data.source=data/pictures", "--set", "data.batch_size=16")
EPOCHS = 8
# 112 steps per epoch of 1,800 synthetic shapes: a signal a moment after the first epoch's record
# lands mid-run.
STOPPABLE = ("--set", "data.batch_size=16", "--set", "trainer.epochs=3",
             "--set", "trainer.tensorboard=false")  # fmt: skip
CURVE = ("train_loss", "val_loss", "val_reconstruction", "val_kl")
GRID = 8 * (32 + 2) + 2  # 8 x 8 tiles of 32 px with 2 px gaps


def pixels(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)) for p in sorted(folder.iterdir())]).astype(int)


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    task = install_keras_task(tmp_path_factory, shared_installs, PROJECTS)
    for project in task.projects.values():
        write_pictures(project.root / "data" / "pictures")
    return task


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv, record_learned: Recorder) -> dict:
    """The default VAE, eight epochs on the pictures: the run later tests evaluate, export and
    sample from."""
    result = tf_project.run_json(COMMAND, "train", *FOLDER, "--set", f"trainer.epochs={EPOCHS}",
                               "--set", "trainer.run_name=pictures")  # fmt: skip
    return record_learned(tf_project, "keras (tensorflow) generative on the picture folder", result)


def test_the_folder_trains_well_below_the_mean_image(tf_project: ProjectEnv, trained: dict) -> None:
    baseline = trained["baselines"]["mean_image"]["reconstruction"]
    print(
        f"\nkeras/tensorflow picture folder, {trained['num_train_images']} training and "
        f"{trained['num_val_images']} held-out images, {EPOCHS} epochs: val_reconstruction "
        f"{trained['val_reconstruction']:.1f}, val_kl {trained['val_kl']:.2f}; mean-image "
        f"reconstruction {baseline:.1f}, {trained['wall_s']} s"
    )
    assert (trained["num_train_images"], trained["num_val_images"]) == (288, 32)
    assert trained["image_shape"] == [32, 32, 3] and trained["epochs_completed"] == EPOCHS
    assert trained["val_reconstruction"] <= 0.9 * baseline, trained
    assert trained["val_kl"] > 1  # the codes carry information: the posterior has not collapsed
    run = tf_project.root / trained["run_dir"]
    losses = [float(r["val_loss"]) for r in rows(run)]
    assert losses[-1] < losses[0]
    samples = sorted((run / "samples").iterdir())
    assert [p.name for p in samples] == [f"epoch-{n:03d}.png" for n in range(1, EPOCHS + 1)]
    with Image.open(samples[-1]) as grid:
        assert grid.size == (GRID, GRID) and grid.mode == "RGB"
    evaluated = tf_project.run_json(COMMAND, "evaluate", "--run", trained["run_dir"])
    best = rows(run)[trained["best_epoch"] - 1]
    for name in ("loss", "reconstruction", "kl"):
        assert evaluated[name] == pytest.approx(float(best[f"val_{name}"]), rel=1e-5), name
    assert evaluated["baselines"] == trained["baselines"] and evaluated["num_samples"] == 32


def test_a_signal_stops_a_real_run_and_resume_matches(tf_project: ProjectEnv) -> None:
    straight = tf_project.run_json(COMMAND, "train", *STOPPABLE, "--set", "trainer.run_name=whole")
    run = tf_project.root / "runs" / "cut"
    args = (COMMAND, "train", *STOPPABLE, "--set", f"trainer.run_name={run.name}")
    code, err = interrupt(tf_project, args, signal.SIGINT, run)
    assert code == 130, err[-3000:]
    assert "stopped by SIGINT" in one_line(err)
    resumed = tf_project.run_json(COMMAND, "train", "--resume", str(run))
    assert resumed["epochs_completed"] == 3 and resumed["epochs_this_run"] < 3
    whole = tf_project.root / straight["run_dir"]
    assert len(rows(run)) == len(rows(whole)) == 3
    for mine, theirs in zip(rows(run), rows(whole), strict=True):
        for key in CURVE:
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)
    # The fixed codes through the same weights: the resumed run's grids are the unbroken run's.
    assert np.abs(pixels(run / "samples") - pixels(whole / "samples")).max() <= 1


def sample_both_ways(project: ProjectEnv, run_dir: str, name: str) -> None:
    """20 images of seed 7 from the checkpoint and from the export: the same pictures (to a grey
    level of rounding), and other pictures for another seed."""
    made = project.root / "made" / name
    args = ("predict", "--run", run_dir, "--num-images", "20", "--seed", "7")
    first = project.run_json(COMMAND, *args, "--out", str(made / "checkpoint"))
    second = project.run_json(COMMAND, *args, "--out", str(made / "export"), "--exported")
    assert first["source"].endswith("best.keras") and "export" in second["source"]
    assert [Path(p).name for p in first["images"]] == [f"sample-{n:04d}.png" for n in range(20)]
    with Image.open(made / "checkpoint" / "sample-0000.png") as image:
        assert image.size == (32, 32) and image.mode == "RGB"
    assert np.abs(pixels(made / "checkpoint") - pixels(made / "export")).max() <= 1
    assert not [p for p in made.iterdir() if p.name.startswith(".")]  # no staging left
    project.run_json(COMMAND, "predict", "--run", run_dir, "--num-images", "20", "--seed", "8",
                     "--out", str(made / "seed-8"))  # fmt: skip
    assert not np.array_equal(pixels(made / "checkpoint"), pixels(made / "seed-8"))


def test_export_and_sample(tf_project: ProjectEnv, trained: dict) -> None:
    run_dir = trained["run_dir"]
    out = tf_project.root / "made" / "too-early"
    missing = tf_project.run(COMMAND, "predict", "--run", run_dir, "--exported", "--out", str(out),
                             check=False)  # fmt: skip
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    assert not out.exists()
    exported = tf_project.run_json(COMMAND, "export", "--run", run_dir)
    print(f"\nkeras/tensorflow export max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["format"] == "tf_saved_model" and exported["max_abs_diff"] < 1e-5
    sample_both_ways(tf_project, run_dir, "tensorflow")


def test_a_folder_in_use_is_refused(tf_project: ProjectEnv, trained: dict) -> None:
    out = tf_project.root / "mine"
    out.mkdir()
    (out / "holiday.png").write_bytes(b"a picture of mine")
    result = tf_project.run(COMMAND, "predict", "--run", trained["run_dir"], "--out", str(out),
                            check=False)  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert one_line(result.stderr) == (
        f"{COMMAND}: --out {out} is not empty: name a new or empty folder"
    )
    assert [p.name for p in out.iterdir()] == ["holiday.png"]
    assert (out / "holiday.png").read_bytes() == b"a picture of mine"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere", "data.source data/nowhere does not exist"),
        ("data.source=data/broken", "picture-0000.png is not a readable image"),
        ("data.image_size=30", "data.image_size must be a multiple of 4 for 2 blocks"),
        ("data.source=$(touch pwned)", "does not exist"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(
    tf_project: ProjectEnv, setting: str, message: str
) -> None:
    broken = tf_project.root / "data" / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "picture-0000.png").write_bytes(b"not a png")
    (broken / "picture-0001.png").write_bytes(b"nor this")
    runs = sorted((tf_project.root / "runs").glob("*"))
    result = tf_project.run(COMMAND, "train", *FOLDER, "--set", setting, check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and message in line, line
    assert sorted((tf_project.root / "runs").glob("*")) == runs  # no run for a failed start
    assert not (tf_project.root / "pwned").exists()


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_export_and_sample_on_other_backends(installed: KerasTask, backend: str) -> None:
    project = installed.projects[backend]
    args = (*FOLDER, "--set", "trainer.epochs=3", "--set", "trainer.tensorboard=false")
    trained = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=short")
    baseline = trained["baselines"]["mean_image"]["reconstruction"]
    print(f"\nkeras/{backend} picture folder, 3 epochs: val_reconstruction "
          f"{trained['val_reconstruction']:.1f} (mean image {baseline:.1f})")  # fmt: skip
    assert trained["backend"] == backend and trained["val_reconstruction"] < baseline
    exported = project.run_json(COMMAND, "export", "--run", trained["run_dir"])
    expected = "onnx" if backend == "torch" else "tf_saved_model"
    assert exported["format"] == expected and exported["max_abs_diff"] < 1e-5
    sample_both_ways(project, trained["run_dir"], backend)
    if backend == "jax":  # batches of 16 pictures split over two CPU devices
        dp = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=dp",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        assert dp["val_reconstruction"] < baseline, dp
        assert len(list((project.root / "runs" / "dp" / "samples").iterdir())) == 3
        evaluated = project.run_json(COMMAND, "evaluate", "--run", "runs/dp")
        assert evaluated["loss"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    out = installed.tests.result()
    assert " passed" in out and "skipped" not in out, out[-3000:]
