"""End to end, the Keras template's tabular task: generate with `scaffold new --set task=tabular`,
install with the printed step (TensorFlow backend; JAX and PyTorch beside it), run the project's
tests, train on a written CSV, stop a real run with a signal and resume it, evaluate with baselines,
export, and predict from the checkpoint and from the export; data-parallel training on JAX."""

# numpy and pandas are imported inside the functions that use them, not here: they start native
# threads (OpenBLAS, pyarrow) that would then live in the whole test process, and a signal sent to
# the process can land on such a thread, outside the mask that scaffold's own in-process signal
# tests hold it with.
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import ProjectEnv, one_line, rows
from installs import KerasTask, KerasTaskProjects, SharedInstalls, install_keras_task

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("tabular", "Tabular {backend} e2e")
INSTALLS = PROJECTS.installs

BACKENDS = ("tensorflow", "jax", "torch")
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
ROWS = 1000


def churn_table(path: Path, rows: int = ROWS) -> Path:
    """Numeric and categorical columns, missing values, and a string target that depends on them."""
    import numpy as np
    import pandas as pd  # not at module level: see the note at the top

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "usage": rng.normal(50, 15, rows),
            "calls": rng.poisson(3, rows).astype(float),
            "city": rng.choice(["paris", "lyon", "nice", "lille"], rows),
            "contract": rng.choice(["monthly", "yearly"], rows),
        }
    )
    logit = 0.08 * (frame["usage"] - 50) - 0.9 * (frame["calls"] - 3)
    logit += frame["contract"].map({"monthly": -1.5, "yearly": 1.5})
    logit += frame["city"].map({"paris": 0.5, "lyon": -0.5, "nice": 0.0, "lille": 0.2})
    frame["status"] = np.where(logit + rng.normal(0, 0.7, rows) > 0, "stays", "leaves")
    frame.loc[rng.random(rows) < 0.08, "usage"] = np.nan
    frame.loc[rng.random(rows) < 0.05, "city"] = None
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    return install_keras_task(tmp_path_factory, shared_installs, PROJECTS)


def cmd(project: ProjectEnv) -> str:
    return project.root.name


def on_table(project: ProjectEnv) -> tuple[str, ...]:
    table = churn_table(project.root / "churn.csv")
    return ("--set", f"data.source={table}", "--set", "data.target=status")


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv) -> dict:
    """Eight epochs on the written table: the reference for evaluate, resume and predict."""
    args = (*on_table(tf_project), "--set", "trainer.epochs=8", "--set", "trainer.run_name=csv")
    return tf_project.run_json(cmd(tf_project), "train", *args)


def test_the_csv_is_learned_well_above_chance(tf_project: ProjectEnv, trained: dict) -> None:
    assert trained["objective"] == "classification" and trained["classes"] == ["leaves", "stays"]
    majority = trained["baselines"]["majority"]["accuracy"]
    assert trained["val_accuracy"] > max(0.75, majority + 0.15), trained
    assert trained["val_auc"] > 0.8
    run = tf_project.root / trained["run_dir"]
    assert json.loads((run / "preprocessing.json").read_text())["target"] == "status"
    evaluated = tf_project.run_json(cmd(tf_project), "evaluate", "--run", trained["run_dir"])
    assert evaluated["loss"] == pytest.approx(trained["best_value"], rel=1e-5)
    assert evaluated["baselines"] == trained["baselines"] and evaluated["num_samples"] == 200


def test_a_signal_stops_a_real_run_and_resume_matches(
    tf_project: ProjectEnv, trained: dict
) -> None:
    command = [str(tf_project.bin / cmd(tf_project)), "train", *on_table(tf_project),
               "--set", "trainer.epochs=8", "--set", "trainer.run_name=cut"]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=tf_project.root, env=tf_project.env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Epoch 3/"):
            time.sleep(0.1)
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, out[-3000:] + err[-3000:]
    assert "stopped by SIGINT" in one_line(err)
    run = tf_project.root / "runs" / "cut"
    resumed = tf_project.run_json(cmd(tf_project), "train", "--resume", str(run))
    assert resumed["epochs_completed"] == 8
    straight = tf_project.root / trained["run_dir"]
    for mine, theirs in zip(rows(run), rows(straight), strict=True):
        for key in ("train_loss", "val_loss", "val_accuracy", "val_auc"):
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)


def raw_rows(project: ProjectEnv, count: int = 5) -> Path:
    import pandas as pd  # not at module level: see the note at the top

    frame = pd.read_csv(project.root / "churn.csv").head(count).drop(columns=["status"])
    path = project.root / "new_rows.csv"
    frame.assign(extra="ignored").to_csv(path, index=False)
    return path


def test_export_and_predict_raw_rows(tf_project: ProjectEnv, trained: dict) -> None:
    import pandas as pd  # not at module level: see the note at the top

    run_dir = trained["run_dir"]
    new_rows = raw_rows(tf_project)
    missing = tf_project.run(cmd(tf_project), "predict", str(new_rows), "--run", run_dir,
                             "--exported", check=False)  # fmt: skip
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    exported = tf_project.run_json(cmd(tf_project), "export", "--run", run_dir)
    assert (
        exported["max_abs_diff"] < 1e-4 and (tf_project.root / exported["preprocessing"]).exists()
    )
    results = [
        tf_project.run_json(cmd(tf_project), "predict", str(new_rows), "--run", run_dir, *flag)
        for flag in ((), ("--exported",))
    ]
    for mine, theirs in zip(*(r["predictions"] for r in results), strict=True):
        assert mine["label"] in ("leaves", "stays") and mine["label"] == theirs["label"]
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)
    pd.read_csv(new_rows).drop(columns=["city"]).to_csv(new_rows, index=False)
    refused = tf_project.run(cmd(tf_project), "predict", str(new_rows), "--run", run_dir,
                             check=False)  # fmt: skip
    assert refused.returncode == 2 and "'city'" in one_line(refused.stderr)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_resume_and_predict_on_other_backends(
    installed: dict[str, ProjectEnv], backend: str
) -> None:
    project = installed.projects[backend]
    args = (*on_table(project), "--set", "trainer.epochs=2", "--set", "trainer.run_name=short")
    first = project.run_json(cmd(project), "train", *args, "--set", "trainer.epochs=1")
    assert first["backend"] == backend
    resumed = project.run_json(cmd(project), "train", "--resume", first["run_dir"],
                               "--set", "trainer.epochs=3")  # fmt: skip
    assert resumed["epochs_completed"] == 3 and resumed["val_accuracy"] > 0.7
    predicted = project.run_json(cmd(project), "predict", str(raw_rows(project)), "--run",
                                 first["run_dir"])  # fmt: skip
    assert len(predicted["predictions"]) == 5
    if backend == "jax":  # the 800 training rows split over two CPU devices
        dp = project.run_json(cmd(project), "train", *args, "--set", "trainer.run_name=dp",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        evaluated = project.run_json(cmd(project), "evaluate", "--run", "runs/dp")
        assert evaluated["loss"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    installed.tests.result()
