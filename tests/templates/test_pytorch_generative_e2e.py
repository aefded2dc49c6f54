"""Generate the PyTorch project for the `generative` task, install it as its printed steps say, and
run what a user runs: its tests, training the default VAE on a folder of their own pictures (PNG
and JPEG, mixed sizes, grey and RGB, sub-folders), evaluate, export, sample new images from the
checkpoint and from the export, a folder that is not empty, bad settings and sources, Ctrl-C then
`--resume`, and a two-process torchrun."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, Recorder, interrupt, last_json, one_line, rows
from installs import SharedInstalls, task_install
from PIL import Image
from shape_images import write_pictures

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("pytorch", "generative")
INSTALLS = (INSTALL,)

PACKAGE = "image_generator"
COMMAND = "image-generator"
# 288 training pictures: batches of 16 give 18 steps an epoch (the default 64, 5).
FOLDER = ("--set", "data.source=data/pictures", "--set", "data.batch_size=16")
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")
# 113 steps per epoch of 1,800 synthetic shapes: a signal a moment after the first epoch's record
# lands mid-run.
STOPPABLE = ("--set", "data.batch_size=16", "--set", "trainer.epochs=3")
CURVE = ("epoch", "train_loss", "val_loss", "val_reconstruction", "val_kl", "lr")
GRID = 8 * (32 + 2) + 2  # 8 x 8 tiles of 32 px with 2 px borders


def curves(run: Path) -> list[float]:
    return [float(r[k]) for r in rows(run) for k in CURVE]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_pictures(env.root / "data" / "pictures")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, record_learned: Recorder) -> dict:
    """The default VAE, eight epochs on the pictures: the run later tests evaluate, export and
    sample from."""
    return record_learned(
        env,
        "pytorch generative on the picture folder",
        env.run_json(COMMAND, "train", *FOLDER, "--set", "trainer.epochs=8"),
    )


def test_the_folder_trains_well_below_the_mean_image(trained: dict) -> None:
    baseline = trained["baselines"]["mean_image"]["reconstruction"]
    print(
        f"\npicture folder, {trained['num_train_images']} training and "
        f"{trained['num_val_images']} held-out images, {trained['epochs_completed']} epochs: "
        f"val_reconstruction {trained['val_reconstruction']:.1f}, val_kl "
        f"{trained['val_kl']:.2f}; mean-image reconstruction {baseline:.1f}"
    )
    assert (trained["num_train_images"], trained["num_val_images"]) == (288, 32)
    assert trained["image_shape"] == [3, 32, 32] and trained["epochs_completed"] == 8
    assert trained["val_reconstruction"] <= 0.9 * baseline, trained
    assert trained["val_kl"] > 1  # the codes carry information: the posterior has not collapsed
    losses = [float(r["val_loss"]) for r in rows(Path(trained["run_dir"]))]
    assert losses[-1] < losses[0]
    samples = sorted((Path(trained["run_dir"]) / "samples").iterdir())
    assert [p.name for p in samples] == [f"epoch-{n:03d}.png" for n in range(1, 9)]
    with Image.open(samples[-1]) as grid:
        assert grid.size == (GRID, GRID) and grid.mode == "RGB"


def test_evaluate_reproduces_the_recorded_best(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate")
    assert result["run_dir"] == trained["run_dir"]
    assert result["loss"] == pytest.approx(trained["best_value"], rel=1e-9)
    for name in ("loss", "reconstruction", "kl"):
        assert result[name] == pytest.approx(result[f"recorded_val_{name}"], rel=1e-9)


def test_export_then_sample_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    exported = env.run(COMMAND, "export", "--run", run)
    assert exported.stderr == ""  # no warning from torch.export's save
    result = last_json(exported.stdout)
    print(f"\nexport max_abs_diff {result['max_abs_diff']:.3g} (atol {result['atol']:g})")
    assert result["max_abs_diff"] <= result["atol"]
    assert result["outputs"] == {"images": "float32 [batch, 3, 32, 32], pixel values in [0, 1]"}

    out = env.root / "made" / "from-checkpoint"
    args = ("predict", "--run", run, "--num-images", "20", "--seed", "7")
    predicted = env.run_json(COMMAND, *args, "--out", str(out))
    assert predicted["num_images"] == 20 and len(predicted["images"]) == 20
    made = listing(out)
    assert list(made) == [f"sample-{n:04d}.png" for n in range(20)]
    with Image.open(out / "sample-0000.png") as image:
        assert image.size == (32, 32) and image.mode == "RGB"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left
    from_export = env.root / "made" / "from-export"
    env.run_json(COMMAND, *args, "--out", str(from_export), "--exported")
    assert listing(from_export) == made  # the same codes, the same pixels, the same bytes
    other_seed = env.root / "made" / "seed-8"
    env.run_json(COMMAND, "predict", "--run", run, "--num-images", "20", "--seed", "8",
                 "--out", str(other_seed))  # fmt: skip
    assert listing(other_seed) != made


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
    assert not [p for p in env.root.iterdir() if p.name.startswith(".mine")]


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
    result = env.run(COMMAND, "train", *FOLDER, "--set", setting, check=False)
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
    # The fixed codes through the same weights: the resumed run's grids are the unbroken run's.
    assert listing(run / "samples") == listing(unbroken / "samples")


def test_torchrun_two_processes_then_evaluate(env: ProjectEnv) -> None:
    args = (*STOPPABLE, "--set", "trainer.epochs=1", "--set", "trainer.run_name=ddp")
    result = last_json(env.run(*TORCHRUN, *args).stdout)
    assert result["world_size"] == 2 and result["epochs_completed"] == 1
    run = Path(result["run_dir"])
    assert [p.name for p in (run / "samples").iterdir()] == ["epoch-001.png"]  # rank 0 alone
    evaluated = env.run_json(COMMAND, "evaluate", "--run", str(run))
    # The ranks' sums, added in another order than one process adds them.
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-6)
    assert evaluated["num_val"] == 200


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
