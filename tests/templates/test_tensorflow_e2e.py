"""End to end: bake the TensorFlow template once, install it with the `cpu` extra, and run it."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
from pathlib import Path

import pytest
from harness import ProjectEnv, bake, install, require

pytestmark = pytest.mark.e2e

PACKAGE = "image_classifier"
TIMEOUT = 600


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    require("tensorflow")
    root = bake("tensorflow", tmp_path_factory.mktemp("bake"))
    return install(root, tmp_path_factory.mktemp("venv") / "venv", extras=("cpu", "dev"))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runs") / "short"


def small(run_dir: Path, *extra: str) -> list[str]:
    overrides = [
        "data.num_samples=512",
        "trainer.epochs=1",
        f"trainer.output_dir={run_dir}",
        *extra,
    ]
    return [arg for item in overrides for arg in ("--set", item)]


@pytest.fixture(scope="module")
def trained(project: ProjectEnv, run_dir: Path) -> dict:
    return project.run_json("image-classifier", "train", *small(run_dir), timeout=TIMEOUT)


def _rows(run_dir: Path) -> list[dict]:
    with (run_dir / "metrics.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_help_does_not_import_tensorflow(project: ProjectEnv):
    code = (
        "import sys; from image_classifier.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported by --help'"
    )
    project.run("python", "-c", code)


def test_project_tests_pass(project: ProjectEnv):
    result = project.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=TIMEOUT)
    assert " passed" in result.stdout


def test_train_one_epoch(trained: dict, run_dir: Path):
    require("tensorflow")
    assert trained["epochs_completed"] == 1
    assert trained["val_accuracy"] > 0.2, trained  # chance is 0.1
    assert trained["num_replicas"] == 1 and trained["task_index"] == 0
    assert (run_dir / "config.toml").is_file()
    assert len(_rows(run_dir)) == 1
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    for kind in ("last", "best"):
        assert (run_dir / "checkpoints" / kind / "ckpt-1.index").is_file()


def test_resume_continues(project: ProjectEnv, trained: dict, run_dir: Path):
    require("tensorflow")
    result = project.run_json(
        "image-classifier",
        "train",
        "--resume",
        *small(run_dir, "trainer.epochs=2"),
        timeout=TIMEOUT,
    )
    assert result["epochs_completed"] == 2
    assert result["step"] == 2 * trained["step"]
    assert [row["epoch"] for row in _rows(run_dir)] == ["1", "2"]


def test_evaluate(project: ProjectEnv, trained: dict, run_dir: Path):
    require("tensorflow")
    result = project.run_json("image-classifier", "evaluate", *small(run_dir), timeout=TIMEOUT)
    assert result["num_samples"] == 51
    assert 0.2 < result["accuracy"] <= 1.0
    assert result["loss"] > 0


def test_export_and_reload_in_a_fresh_process(project: ProjectEnv, trained: dict, run_dir: Path):
    require("tensorflow")
    result = project.run_json(
        "image-classifier", "export", *small(run_dir, "export.tflite=true"), timeout=TIMEOUT
    )
    assert result["max_abs_diff"] < 1e-5
    assert result["tflite_max_abs_diff"] < 1e-4
    saved_model = Path(result["saved_model"])
    assert (saved_model / "saved_model.pb").is_file()
    # A new interpreter loads the SavedModel and the checkpoint, and compares them on a batch
    # size the export never saw (the signature's batch dimension is dynamic).
    check = f"""
import json
import numpy as np
import tensorflow as tf
from {PACKAGE}.config import Config, load_config
from {PACKAGE}.evaluate import load_trained_model

config = load_config(Config, None, ["trainer.output_dir={run_dir}"])
model, _ = load_trained_model(config)
images = np.random.default_rng(7).uniform(0, 1, (5, 28, 28, 1)).astype(np.float32)
serve = tf.saved_model.load("{saved_model}").signatures["serving_default"]
outputs = serve(images=tf.constant(images))
diff = np.abs(outputs["logits"].numpy() - model(images, training=False).numpy()).max()
print(json.dumps({{"max_abs_diff": float(diff), "shape": outputs["probabilities"].shape.as_list()}}))
"""
    reloaded = project.run_json("python", "-c", check, timeout=TIMEOUT)
    assert reloaded["shape"] == [5, 10]
    assert reloaded["max_abs_diff"] < 1e-5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_multi_worker_two_processes(project: ProjectEnv, tmp_path: Path):
    require("tensorflow")
    cluster = {"worker": [f"localhost:{_free_port()}", f"localhost:{_free_port()}"]}
    command = [str(project.bin / "image-classifier"), "train", *small(tmp_path / "mw")]
    workers = []
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        workers.append(
            subprocess.Popen(
                command,
                cwd=project.root,
                env=project.env({"TF_CONFIG": tf_config}),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        )
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=TIMEOUT))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, (
            f"worker exited {worker.returncode}\n{out[-3000:]}{err[-3000:]}"
        )
    results = [json.loads(out[out.rfind("\n{") + 1 :]) for out, _ in outputs]
    print("multi-worker results:", results)
    assert [r["task_index"] for r in results] == [0, 1]
    assert all(
        r["num_replicas"] == 2 and r["strategy"] == "CollectiveAllReduceStrategy" for r in results
    )
    assert results[0]["train_loss"] == pytest.approx(results[1]["train_loss"], rel=1e-6)
    assert results[0]["val_loss"] == pytest.approx(results[1]["val_loss"], rel=1e-6)
    # Only the chief writes the run; the other worker's checkpoints went to a temporary directory.
    assert (tmp_path / "mw" / "checkpoints" / "last" / "ckpt-1.index").is_file()
    assert len(_rows(tmp_path / "mw")) == 1
