"""End to end, the tabular task: generate the TensorFlow project with `task=tabular`, install it from its
printed steps into a venv that sees only what it declares, and use it as a user would: train on the
synthetic table and on a CSV with numbers, categories, missing values and a string target, evaluate
beside the baselines, export a SavedModel that takes raw rows, predict from the checkpoint and from the
export, interrupt and resume, and train on two workers."""

# numpy and pandas are imported inside the functions that use them, not here: they start native
# threads (OpenBLAS, pyarrow) that would then live in the whole test process, and a signal sent to
# the process can land on such a thread, outside the mask that scaffold's own in-process signal
# tests hold it with.
from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests
from installs import SharedInstalls, task_install
from test_tensorflow_e2e import curves, finish, last_json, rows, sets

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "tabular")
INSTALLS = (INSTALL,)

COMMAND = "tabular-model"
TIMEOUT = 600
CLASSES = ("high", "low", "mid")


def write_table(path: Path, n: int = 1000, seed: int = 5) -> Path:
    """A table a user might bring: numbers (some missing), text categories (some missing), an
    integer count, and a three-class string target that depends on most of them."""
    import numpy as np
    import pandas as pd  # not at module level: see the note at the top

    rng = np.random.default_rng(seed)
    cities = np.array(["oslo", "lima", "pune", "kobe", "nice", "york"])
    frame = pd.DataFrame(
        {
            "temperature": rng.normal(20.0, 6.0, n).round(1),
            "pressure": rng.normal(1000.0, 15.0, n).round(1),
            "visits": rng.poisson(3, n),
            "city": cities[rng.integers(0, len(cities), n)].astype(object),
            "grade": rng.choice(["A", "B", "C"], n).astype(object),
        }
    )
    city_effect = frame["city"].map(
        dict(zip(cities, [1.2, -1.0, 0.4, -0.3, 0.8, -1.1], strict=True))
    )
    grade_effect = frame["grade"].map({"A": 1.0, "B": 0.0, "C": -1.0})
    score = (
        (frame["temperature"] - 20.0) / 6.0
        - (frame["pressure"] - 1000.0) / 15.0
        + 0.3 * frame["visits"]
        + city_effect
        + grade_effect
        + rng.normal(0.0, 0.4, n)
    )
    frame["outcome"] = pd.cut(
        score,
        score.quantile([0, 1 / 3, 2 / 3, 1]),
        labels=["low", "mid", "high"],
        include_lowest=True,
    ).astype(str)
    for column, rate in (("temperature", 0.08), ("pressure", 0.05), ("city", 0.05)):
        frame.loc[rng.random(n) < rate, column] = None
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    return env


@pytest.fixture(scope="module")
def table(env: ProjectEnv) -> Path:
    return write_table(env.root / "weather.csv")


@pytest.fixture(scope="module")
def csv_run(env: ProjectEnv, table: Path) -> dict:
    """The CSV trained for 8 epochs with the default settings but its source and target."""
    overrides = (
        f"data.source={table.name}", "data.target=outcome", "trainer.epochs=8",
        "trainer.run_name=weather",
    )  # fmt: skip
    return env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)


def test_the_csv_trains_well_above_chance(env: ProjectEnv, csv_run: dict) -> None:
    print(json.dumps({k: csv_run[k] for k in ("val_loss", "val_accuracy", "val_auc", "baselines")}))
    assert csv_run["epochs_completed"] == 8
    assert csv_run["objective"] == "classification" and csv_run["class_names"] == list(CLASSES)
    majority = csv_run["baselines"]["majority"]
    assert csv_run["val_accuracy"] > 0.65 > majority["accuracy"] + 0.3  # chance is about 1/3
    assert csv_run["val_auc"] > 0.85 and majority["auc"] == pytest.approx(0.5)
    run = env.root / csv_run["run_dir"]
    assert list(rows(run)[0]) == [
        "epoch", "step", "train_loss", "val_loss", "val_accuracy", "val_auc", "lr",
        "samples_per_s", "epoch_time_s",
    ]  # fmt: skip


def test_evaluate_reproduces_the_best_epoch_beside_the_baselines(
    env: ProjectEnv, csv_run: dict
) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", csv_run["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / csv_run["run_dir"])[csv_run["best_epoch"] - 1]
    assert result["num_samples"] == 200
    for name in ("val_loss", "val_accuracy", "val_auc"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name
    assert result["baselines"] == csv_run["baselines"]


def test_export_and_predict_agree_on_raw_rows(env: ProjectEnv, csv_run: dict, table: Path) -> None:
    import pandas as pd  # not at module level: see the note at the top

    run = csv_run["run_dir"]
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    assert exported["max_abs_diff"] < 1e-5 and exported["class_names_match"]
    new_rows = env.root / "new.csv"
    frame = pd.read_csv(table).head(7)  # the target may be there: it is ignored, as is "comment"
    frame.loc[0, "city"] = "atlantis"  # a category no training row has
    frame["comment"] = "extra"
    frame.to_csv(new_rows, index=False)
    from_checkpoint = env.run_json(COMMAND, "predict", "--run", run, new_rows.name, timeout=TIMEOUT)
    from_export = env.run_json(
        COMMAND, "predict", "--run", run, "--exported", new_rows.name, timeout=TIMEOUT
    )
    assert from_export["source"] == exported["saved_model"]
    assert len(from_checkpoint["predictions"]) == 7
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["input"] == b["input"] and a["label"] == b["label"] and a["label"] in CLASSES
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)
    # A fresh interpreter sends the raw cells, strings and NaN, to the SavedModel alone.
    check = f"""
import json, math
import tensorflow as tf
serve = tf.saved_model.load("{exported["saved_model"]}").signatures["serving_default"]
out = serve(numeric=tf.constant([[21.5, math.nan, 2.0], [9.0, 1030.0, 0.0]]),
            categorical=tf.constant([["oslo", "A"], ["", "C"]]))
print(json.dumps({{"names": [n.decode() for n in out["class_name"].numpy()],
                  "shape": out["probabilities"].shape.as_list()}}))
"""
    served = env.run_json("python", "-c", check, timeout=TIMEOUT)
    assert served["shape"] == [2, 3] and set(served["names"]) <= set(CLASSES)


def test_a_mistake_is_one_line(env: ProjectEnv, table: Path) -> None:
    overrides = (f"data.source={table.name}", "data.target=nope")
    result = env.run(COMMAND, "train", *sets(*overrides), check=False)
    assert result.returncode == 2 and "no target column 'nope'" in result.stderr, result.stderr


def start_workers(env: ProjectEnv, *args: str) -> list[subprocess.Popen]:
    return shared.start_workers(env, *args, command=COMMAND)


# Long enough (two epochs of 200 steps; of 100 collective steps on two workers) for a signal to
# arrive while it trains.
LONG = ("data.num_samples=8000", "trainer.epochs=2")
LONG_TWO_WORKERS = ("data.num_samples=4000", "trainer.epochs=2")


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, LONG, delay=0.0)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv, table: Path) -> None:
    overrides = (f"data.source={table.name}", "data.target=outcome", "trainer.run_name=two-workers")
    # The validation rows were split between the workers and gathered back: the same metrics.
    agreed = ("train_loss", "val_loss", "val_accuracy", "val_auc")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    assert results[0]["run_dir"] == results[1]["run_dir"] == "runs/two-workers"
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)
    assert evaluated["val_auc"] == pytest.approx(results[0]["val_auc"], rel=1e-5)


def test_multi_worker_stops_together_on_one_workers_sigterm_and_resumes(env: ProjectEnv) -> None:
    overrides = (*LONG_TWO_WORKERS, "trainer.run_name=two-workers-cut")
    workers = start_workers(env, "train", *sets(*overrides))
    shared.wait_for_training(workers[1], delay=0.0)
    workers[1].send_signal(signal.SIGTERM)  # one worker only: the other must not wait forever
    for code, _, err in finish(workers):
        assert code == 143, err
        assert "stopped by SIGTERM" in err.splitlines()[-1]
    run = env.root / "runs" / "two-workers-cut"
    for code, out, err in finish(start_workers(env, "train", "--resume", str(run))):
        assert code == 0, err[-3000:]
        assert last_json(out)["epochs_completed"] == 2
    assert [int(row["epoch"]) for row in rows(run)] == [1, 2]


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
