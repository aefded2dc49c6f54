"""End to end, per Keras backend: generate with `scaffold new`, install with the printed steps into a
venv that sees only what the project declares, run the project's tests, then train, stop a real
training process with a signal and resume it, evaluate, export, and (JAX) data-parallel training
over two CPU devices."""

from __future__ import annotations

import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, one_line, rows
from installs import SharedInstalls, keras_image

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

BACKENDS = ("tensorflow", "jax", "torch")
INSTALLS = tuple(keras_image(backend) for backend in BACKENDS)
SAMPLES = 768
SEEDED = (
    "--set",
    "trainer.seed=1",
    "--set",
    f"data.num_samples={SAMPLES}",
    "--set",
    "trainer.epochs=3",
)
# Each backend's stop signal: SIGINT is Ctrl-C, SIGTERM what a scheduler sends before a kill.
STOP_SIGNAL = {"tensorflow": signal.SIGTERM, "jax": signal.SIGINT, "torch": signal.SIGINT}
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}


@pytest.fixture(scope="module")
def installed(shared_installs: SharedInstalls) -> dict[str, ProjectEnv]:
    """The three projects, each a shared install (the JAX and PyTorch ones are also those the
    other Keras tasks install beside), generated and installed side by side where the modules
    before did not (pip mostly waits on the disk)."""
    with ThreadPoolExecutor(len(BACKENDS)) as pool:
        projects = pool.map(lambda backend: shared_installs.get(*keras_image(backend)), BACKENDS)
        return dict(zip(BACKENDS, projects, strict=True))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def project(installed: dict[str, ProjectEnv], backend: str) -> ProjectEnv:
    return installed[backend]


@pytest.fixture(scope="module")
def env(project: ProjectEnv) -> ProjectEnv:
    """The backend's project, whose own tests `project_tests` runs beside this backend's tests."""
    return project


@pytest.fixture(scope="module")
def seeded(project: ProjectEnv) -> dict:
    """An unbroken seeded run: the reference for evaluate and for the interrupted run."""
    return project.run_json(cmd(project), "train", *SEEDED, "--set", "trainer.run_name=seeded")


def cmd(project: ProjectEnv) -> str:
    return project.root.name


def test_seeded_run_and_evaluate_reproduces_its_metric(
    project: ProjectEnv, backend: str, seeded: dict
) -> None:
    run = project.root / seeded["run_dir"]
    assert seeded["backend"] == backend and seeded["epochs_completed"] == 3
    for name in ("config.toml", "classes.json", "best.keras", "resume.npz", "metrics.csv"):
        assert (run / name).is_file(), name
    assert any((run / "tensorboard").rglob("events.out.tfevents.*"))
    assert seeded["val_accuracy"] > 0.5  # chance is 0.1
    # No arguments: the latest run, with its own config (seed 1, SAMPLES samples), not the defaults.
    result = project.run_json(cmd(project), "evaluate")
    assert Path(result["run_dir"]) == (project.root / seeded["run_dir"]).resolve()
    assert result["loss"] == pytest.approx(seeded["best_value"], rel=1e-5)
    assert result["num_samples"] == round(SAMPLES * 0.2)


def test_a_signal_stops_a_real_run_and_resume_matches_the_unbroken_one(
    project: ProjectEnv, backend: str, seeded: dict
) -> None:
    sent = STOP_SIGNAL[backend]
    command = [str(project.bin / cmd(project)), "train", *SEEDED, "--set", "trainer.run_name=cut"]
    proc = subprocess.Popen(
        command, cwd=project.root, env=project.env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:  # Keras prints "Epoch 2/3" as the second epoch starts
        if line.startswith("Epoch 2/"):
            time.sleep(0.2)
            proc.send_signal(sent)
            break
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 128 + sent, out[-3000:] + err[-3000:]
    line = one_line(err)
    assert f"stopped by {sent.name}" in line and "--resume" in line
    run = project.root / "runs" / "cut"
    assert len(rows(run)) in (1, 2)  # epoch 2 is recorded only if it ended before the signal
    resumed = project.run_json(cmd(project), "train", "--resume", str(run))
    assert resumed["epochs_completed"] == 3
    straight = project.root / seeded["run_dir"]
    for mine, theirs in zip(rows(run), rows(straight), strict=True):
        for key in ("train_loss", "val_loss", "val_accuracy"):
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)
    assert (straight / "best.keras").is_file()  # the earlier run is untouched


def test_export_works_after_the_printed_install(project: ProjectEnv, seeded: dict) -> None:
    result = project.run_json(cmd(project), "export", "--run", seeded["run_dir"])
    assert "skipped" not in result, result
    assert (project.root / result["path"]).exists()
    assert (project.root / result["labels"]).read_text().count('"') == 20  # ten class names
    assert result["max_abs_diff"] < 1e-4


def test_a_bad_value_is_one_line(project: ProjectEnv) -> None:
    refused = project.run(cmd(project), "train", "--set", "trainer.lr=-1", check=False)
    assert refused.returncode == 2
    assert "trainer.lr must be > 0" in one_line(refused.stderr)


def test_data_parallel_on_jax_and_refused_elsewhere(project: ProjectEnv, backend: str) -> None:
    command = (cmd(project), "train", "--set", "distribute.strategy=data_parallel",
               "--set", "data.num_samples=513", "--set", "trainer.epochs=1")  # fmt: skip
    if backend != "jax":
        refused = project.run(*command, check=False)
        assert refused.returncode == 2
        assert "needs the JAX backend" in one_line(refused.stderr)
        return
    odd = project.run(*command, "--set", "data.batch_size=63", env=TWO_CPU_DEVICES, check=False)
    assert odd.returncode == 2
    assert "data.batch_size 63 must be a multiple of the 2 devices" in one_line(odd.stderr)
    # 103 validation samples: the last batch (39) is padded to split over the two devices.
    result = project.run_json(*command, "--set", "trainer.run_name=dp", env=TWO_CPU_DEVICES)
    assert (result["strategy"], result["num_devices"]) == ("data_parallel", 2)
    assert result["epochs_completed"] == 1
    evaluated = project.run_json(cmd(project), "evaluate", "--run", "runs/dp")
    assert evaluated["num_samples"] == 103
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
