"""Generate the TensorFlow project for the `generative` task, install it as its printed steps say,
and run what a user runs: its tests, training the default VAE on a folder of their own pictures
(PNG and JPEG, mixed sizes, grey and RGB, sub-folders), evaluate, export the decoder as a
SavedModel, sample new images from the checkpoint and from the export, a folder that is not empty,
bad settings and sources, SIGINT then `--resume`, and a two-worker MultiWorkerMirroredStrategy
run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests, Recorder, one_line
from installs import SharedInstalls, task_install
from PIL import Image
from shape_images import write_pictures
from test_tensorflow_e2e import curves, rows, sets

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "generative")
INSTALLS = (INSTALL,)

COMMAND = "image-generator"
TIMEOUT = 600
# 288 training pictures: batches of 16 give 18 steps an epoch (the default 64, 4).
FOLDER = ("data.source=data/pictures", "data.batch_size=16")
# 112 steps per epoch of 1,800 synthetic shapes: a signal a moment after training starts lands
# mid-run.
STOPPABLE = ("data.batch_size=16", "trainer.epochs=2")
GRID = 8 * (32 + 2) + 2  # 8 x 8 tiles of 32 px with 2 px borders


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def pixels(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)) for p in sorted(folder.iterdir())]).astype(int)


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_pictures(env.root / "data" / "pictures")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, record_learned: Recorder) -> dict:
    """The default VAE, eight epochs on the pictures: the run later tests evaluate, export and
    sample from."""
    overrides = (*FOLDER, "trainer.epochs=8", "trainer.run_name=pictures")
    result = env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)
    return record_learned(env, "tensorflow generative on the picture folder", result)


def test_the_folder_trains_well_below_the_mean_image(env: ProjectEnv, trained: dict) -> None:
    baseline = trained["baselines"]["mean_image"]["reconstruction"]
    print(
        f"\npicture folder, {trained['num_train_images']} training and "
        f"{trained['num_val_images']} held-out images, {trained['epochs_completed']} epochs: "
        f"val_reconstruction {trained['val_reconstruction']:.1f}, val_kl "
        f"{trained['val_kl']:.2f}; mean-image reconstruction {baseline:.1f}"
    )
    assert (trained["num_train_images"], trained["num_val_images"]) == (288, 32)
    assert trained["image_shape"] == [32, 32, 3] and trained["epochs_completed"] == 8
    assert trained["val_reconstruction"] <= 0.9 * baseline, trained
    assert trained["val_kl"] > 1  # the codes carry information: the posterior has not collapsed
    run = env.root / trained["run_dir"]
    losses = [float(r["val_loss"]) for r in rows(run)]
    assert losses[-1] < losses[0]
    samples = sorted((run / "samples").iterdir())
    assert [p.name for p in samples] == [f"epoch-{n:03d}.png" for n in range(1, 9)]
    with Image.open(samples[-1]) as grid:
        assert grid.size == (GRID, GRID) and grid.mode == "RGB"


def test_evaluate_reproduces_the_best_epoch(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", trained["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / trained["run_dir"])[trained["best_epoch"] - 1]
    assert result["val_loss"] == pytest.approx(trained["best_val_loss"], rel=1e-5)
    for name in ("val_loss", "val_reconstruction", "val_kl"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name


def test_export_then_sample_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    print(f"\nexport max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["max_abs_diff"] < 1e-5 and exported["checked_shapes"] == [[8, 16], [1, 16]]
    assert exported["output"] == "images float32 [batch, 32, 32, 3], pixel values in [0, 1]"

    out = env.root / "made" / "from-checkpoint"
    args = ("predict", "--run", run, "--num-images", "20", "--seed", "7")
    predicted = env.run_json(COMMAND, *args, "--out", str(out), timeout=TIMEOUT)
    assert predicted["num_images"] == 20 and len(predicted["images"]) == 20
    assert list(listing(out)) == [f"sample-{n:04d}.png" for n in range(20)]
    with Image.open(out / "sample-0000.png") as image:
        assert image.size == (32, 32) and image.mode == "RGB"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left
    from_export = env.root / "made" / "from-export"
    env.run_json(COMMAND, *args, "--out", str(from_export), "--exported", timeout=TIMEOUT)
    # The same codes: the pixels agree to the rounding of a float32 difference near 1e-7.
    assert np.abs(pixels(out) - pixels(from_export)).max() <= 1
    other_seed = env.root / "made" / "seed-8"
    env.run_json(COMMAND, "predict", "--run", run, "--num-images", "20", "--seed", "8",
                 "--out", str(other_seed), timeout=TIMEOUT)  # fmt: skip
    assert not np.array_equal(pixels(out), pixels(other_seed))


def test_a_folder_that_is_not_empty_is_refused(env: ProjectEnv, trained: dict) -> None:
    out = env.root / "mine"
    out.mkdir()
    (out / "holiday.png").write_bytes(b"a picture of mine")
    args = ("predict", "--run", trained["run_dir"], "--out", str(out))
    result = env.run(COMMAND, *args, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert one_line(result.stderr) == (
        f"{COMMAND}: --out {out} is not empty: name a new or empty folder"
    )
    assert listing(out) == {"holiday.png": b"a picture of mine"}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere", "data.source data/nowhere does not exist"),
        ("data.source=data/empty", "data/empty holds 0 image files; at least 2 are needed"),
        ("data.source=data/broken", "picture-0000.png is not a readable image"),
        ("data.image_size=30", "data.image_size must be a multiple of 4 for 2 blocks"),
        ("data.channels=2", "data.channels must be 1 (grey) or 3 (RGB) for image files, not 2"),
        ("model.latent_dim=0", "model.latent_dim"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(env: ProjectEnv, setting: str, message: str) -> None:
    (env.root / "data" / "empty").mkdir(exist_ok=True)
    broken = env.root / "data" / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "picture-0000.png").write_bytes(b"not a png")
    (broken / "picture-0001.png").write_bytes(b"nor this")
    runs = sorted((env.root / "runs").glob("*")) if (env.root / "runs").is_dir() else []
    result = env.run(COMMAND, "train", *sets(*FOLDER, setting), check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and message in line, line
    assert sorted((env.root / "runs").glob("*")) == runs  # no run directory for a failed start


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, STOPPABLE, delay=0.5)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)
    # The fixed codes through the same weights: the resumed run's grids are the unbroken run's.
    assert np.abs(pixels(cut / "samples") - pixels(unbroken / "samples")).max() <= 1


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    overrides = (*STOPPABLE, "trainer.epochs=1", "trainer.run_name=two-workers")
    agreed = ("train_loss", "val_loss", "val_reconstruction", "val_kl")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    run = env.root / "runs" / "two-workers"
    assert [p.name for p in (run / "samples").iterdir()] == ["epoch-001.png"]  # the chief alone
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    # Each worker scored half of every held-out batch; one process scores them whole.
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)
    assert evaluated["val_kl"] == pytest.approx(results[0]["val_kl"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
