"""End to end, per Keras backend: bake, install with the README's CPU extras, run the project's tests,
train, resume, evaluate, export, and (JAX) data-parallel training over two CPU devices."""

from __future__ import annotations

import csv

import pytest
from harness import ProjectEnv, bake, install, require

pytestmark = pytest.mark.e2e

# The extras the generated README tells CPU users to install, per backend.
CPU_EXTRAS = {"tensorflow": ("cpu", "dev"), "jax": ("cpu", "dev"), "torch": ("onnx", "dev")}
SMALL = ("--set", "data.num_samples=512", "--set", "trainer.epochs=1")


@pytest.fixture(scope="module", params=["tensorflow", "jax", "torch"])
def project(request, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    backend = request.param
    require("keras", backend)
    root = tmp_path_factory.mktemp(f"keras-{backend}")
    baked = bake("keras", root, project_name=f"Keras {backend} e2e", backend=backend)
    # No KERAS_BACKEND here: the project's package must select its backend by itself.
    return install(baked, root / "venv", extras=CPU_EXTRAS[backend])


@pytest.fixture(scope="module")
def trained(project: ProjectEnv) -> dict:
    return project.run_json(_cmd(project), "train", *SMALL)


def _cmd(project: ProjectEnv) -> str:
    return project.root.name


def _backend(project: ProjectEnv) -> str:
    return project.root.name.split("-")[1]  # keras-<backend>-e2e


def _rows(project: ProjectEnv) -> list[dict]:
    with open(project.root / "runs" / "default" / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_project_tests_pass(project: ProjectEnv) -> None:
    project.run("python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider")


def test_train_one_epoch(project: ProjectEnv, trained: dict) -> None:
    out = project.root / "runs" / "default"
    assert trained["epochs_completed"] == 1
    assert trained["backend"] == _backend(project)
    for name in ("best.keras", "last.keras", "metrics.csv", "config.toml"):
        assert (out / name).is_file(), name
    assert any((out / "tensorboard").rglob("events.out.tfevents.*"))
    assert len(_rows(project)) == 1
    assert trained["val_accuracy"] > 0.2  # chance is 0.1


def test_resume_to_epoch_two(project: ProjectEnv, trained: dict) -> None:
    result = project.run_json(
        _cmd(project), "train", "--resume", *SMALL[:2], "--set", "trainer.epochs=2"
    )
    assert (result["epochs_completed"], result["epochs_this_run"]) == (2, 1)
    assert [row["epoch"] for row in _rows(project)] == ["1", "2"]


def test_evaluate(project: ProjectEnv, trained: dict) -> None:
    result = project.run_json(_cmd(project), "evaluate", *SMALL[:2])
    assert result["accuracy"] > 0.2 and result["loss"] > 0


def test_export_round_trip(project: ProjectEnv, trained: dict) -> None:
    result = project.run_json(_cmd(project), "export", *SMALL[:2])
    assert "skipped" not in result, result
    assert (project.root / result["path"]).exists()
    assert result["max_abs_diff"] < 1e-4


def test_data_parallel_on_jax_and_refused_elsewhere(project: ProjectEnv, trained: dict) -> None:
    command = (_cmd(project), "train", *SMALL, "--set", "distribute.strategy=data_parallel",
               "--set", "trainer.output_dir=runs/dp")  # fmt: skip
    if _backend(project) != "jax":
        refused = project.run(*command, check=False)
        assert refused.returncode == 2
        assert "needs the JAX backend" in refused.stderr and "Traceback" not in refused.stderr
        return
    result = project.run_json(
        *command, env={"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    )
    assert (result["strategy"], result["num_devices"]) == ("data_parallel", 2)
    assert result["epochs_completed"] == 1
