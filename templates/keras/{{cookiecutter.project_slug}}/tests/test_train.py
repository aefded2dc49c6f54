import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }} import export as export_module
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory, small_config) -> Config:
    """One short training run, shared by the tests that only read it."""
    cfg = small_config(tmp_path_factory.mktemp("run") / "run")
    result = train(cfg)
    assert result["epochs_completed"] == 1
    return cfg


@pytest.fixture
def trained(trained_run: Config, tmp_path: Path) -> Config:
    """A private copy of the shared run, for tests that change it."""
    cfg = copy.deepcopy(trained_run)
    cfg.trainer.output_dir = tmp_path / "run"
    shutil.copytree(trained_run.trainer.output_dir, cfg.trainer.output_dir)
    return cfg


def rows(config: Config) -> list[dict]:
    with open(Path(config.trainer.output_dir) / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_train_writes_the_run(trained_run: Config) -> None:
    out = Path(trained_run.trainer.output_dir)
    for name in ("config.toml", "best.keras", "last.keras", "metrics.csv", "state.json"):
        assert (out / name).is_file(), name
    assert any((out / "tensorboard").rglob("events.out.tfevents.*"))
    (row,) = rows(trained_run)
    assert {"epoch", "train_loss", "val_loss", "val_accuracy", "lr", "samples_per_s"} <= set(row)
    assert row["epoch"] == "1"


def test_resume_trains_exactly_the_missing_epochs(trained: Config) -> None:
    trained.trainer.epochs = 2
    result = train(trained, resume=True)
    assert (result["epochs_completed"], result["epochs_this_run"]) == (2, 1)
    assert [r["epoch"] for r in rows(trained)] == ["1", "2"]
    # Resuming a finished run trains nothing more.
    assert train(trained, resume=True)["epochs_this_run"] == 0


def test_resume_without_a_run_is_refused(config: Config) -> None:
    with pytest.raises(SystemExit, match="nothing to resume"):
        train(config, resume=True)


def test_evaluate_matches_the_best_checkpoint(trained_run: Config) -> None:
    result = evaluate(trained_run)
    assert 0.0 <= result["accuracy"] <= 1.0 and np.isfinite(result["loss"])
    state = json.loads((Path(trained_run.trainer.output_dir) / "state.json").read_text())
    assert result["loss"] == pytest.approx(state["best_val_loss"], rel=1e-4)


def test_export_round_trip(trained_run: Config) -> None:
    result = export(trained_run)
    if "skipped" in result:
        pytest.skip(result["skipped"])
    assert Path(result["path"]).exists()
    assert result["max_abs_diff"] < 1e-4


def test_export_without_its_packages_says_so(trained: Config, monkeypatch) -> None:
    monkeypatch.setattr(export_module.importlib.util, "find_spec", lambda name: None)
    result = export(trained)
    assert "needs" in result["skipped"] and "pip install" in result["skipped"]


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="TensorFlow is the backend")
def test_training_does_not_import_tensorflow(tmp_path: Path) -> None:
    """Off the TensorFlow backend, training must not import TensorFlow even when it is installed.

    (Keras 3.15 itself imports JAX, when installed, from `keras.callbacks`; that is not checked.)
    """
    script = (
        "import sys\n"
        "from {{ cookiecutter.package_name }}.cli import main\n"
        f"main(['train', '--set', 'data.num_samples=64', '--set', 'trainer.epochs=1', "
        f"'--set', 'trainer.output_dir={tmp_path.as_posix()}'])\n"
        "print('tensorflow' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["KERAS_BACKEND"] = keras.backend.backend()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "False"
