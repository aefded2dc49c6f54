"""Generate the PyTorch project for the `tabular` task, install it as its printed steps say, and run
what a user runs: its tests, training on a CSV of their own (numbers, categories, gaps, a text
target), evaluate with baselines, export, predict from the checkpoint and from the export, Ctrl-C
then `--resume`, and a two-process torchrun (Gloo on the CPU) that is stopped and resumed."""

# numpy and pandas are imported inside the functions that use them, not here: they start native
# threads (OpenBLAS, pyarrow) that would then live in the whole test process, and a signal sent to
# the process can land on such a thread, outside the mask that scaffold's own in-process signal
# tests hold it with.
from __future__ import annotations

import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, interrupt, last_json, rows
from installs import SharedInstalls, task_install

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("pytorch", "tabular")
INSTALLS = (INSTALL,)

PACKAGE = "tabular_model"
COMMAND = "tabular-model"
CSV = ("--set", "data.source=data/customers.csv", "--set", "data.target=tier")
# 1,000 steps per epoch in one process (500 under torchrun), about a second on a CPU: a signal sent
# a moment after the first epoch's record lands inside the second epoch on most machines; wherever it
# lands, resume is exact. (At 100 steps a whole epoch took less than that moment.)
STOPPABLE = (
    *("--set", "data.num_samples=20000", "--set", "data.batch_size=16"),
    *("--set", "trainer.epochs=3"),
)
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")
CURVE = ("epoch", "train_loss", "val_loss", "val_accuracy", "val_auc", "lr")


def curves(run: Path) -> list[float]:
    return [float(r[k]) for r in rows(run) for k in CURVE]


def one_line(stderr: str, *expected: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{COMMAND}: "), stderr[-3000:]
    for text in expected:
        assert text in lines[0], lines
    return lines[0]


def write_customers(path: Path, count: int = 1000, seed: int = 0) -> Path:
    """Numeric and categorical columns with gaps and a three-class text target that depends on
    all of them (with noise); the classes are equally frequent, so chance is 1/3."""
    import numpy as np
    import pandas as pd  # not at module level: see the note at the top

    rng = np.random.default_rng(seed)
    age, income = rng.normal(40, 12, count), rng.lognormal(10, 0.6, count)
    visits = rng.poisson(3, count)
    city = rng.choice(["Paris", "Lyon", "Nice", "Lille"], count).astype(object)
    device = rng.choice(["mobile", "desktop", "tablet"], count).astype(object)
    cities = {"Paris": 1.0, "Lyon": 0.0, "Nice": -0.5, "Lille": -1.0}
    devices = {"mobile": -0.6, "desktop": 0.6, "tablet": 0.0}
    score = (
        0.04 * (age - 40)
        + np.log(income / np.median(income))
        + 0.2 * visits
        + pd.Series(city).map(cities).to_numpy()
        + pd.Series(device).map(devices).to_numpy()
        + rng.normal(0, 0.3, count)
    )
    tier = np.array(["bronze", "silver", "gold"])[
        np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    ]
    age[rng.random(count) < 0.1] = np.nan
    income[rng.random(count) < 0.05] = np.nan
    city[rng.random(count) < 0.08] = None
    frame = pd.DataFrame(
        {"age": age.round(), "income": income.round(2), "visits": visits, "city": city}
    )
    frame.assign(device=device, tier=tier).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    (env.root / "data").mkdir()
    write_customers(env.root / "data" / "customers.csv")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    """Eight epochs on the CSV, the run that later tests evaluate, export and predict with."""
    return env.run_json(COMMAND, "train", *CSV, "--set", "trainer.epochs=8")


def test_a_csv_with_gaps_and_a_text_target_trains_well_above_chance(trained: dict) -> None:
    assert trained["objective"] == "classification" and trained["num_classes"] == 3
    assert trained["epochs_completed"] == 8 and len(rows(Path(trained["run_dir"]))) == 8
    majority = trained["baselines"]["majority"]["accuracy"]
    assert majority < 0.4  # three balanced classes
    assert trained["val_accuracy"] > 0.65, trained
    assert trained["val_auc"] > 0.8, trained


def test_evaluate_reproduces_the_recorded_best_with_baselines(
    env: ProjectEnv, trained: dict
) -> None:
    result = env.run_json(COMMAND, "evaluate")  # the latest run, with its own config
    assert result["run_dir"] == trained["run_dir"]
    assert result["loss"] == pytest.approx(trained["best_value"], rel=1e-5)
    assert result["accuracy"] == pytest.approx(result["recorded_val_accuracy"], abs=1e-9)
    assert result["auc"] == pytest.approx(result["recorded_val_auc"], abs=1e-9)
    assert result["baselines"]["majority"] == trained["baselines"]["majority"]


def test_export_then_predict_raw_rows_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    import pandas as pd  # not at module level: see the note at the top

    run = trained["run_dir"]
    rows_csv = env.root / "data" / "new.csv"
    # Raw rows as a user has them: no target column, one extra column the model never saw.
    pd.read_csv(env.root / "data" / "customers.csv").head(6).drop(columns=["tier"]).assign(
        note="x"
    ).to_csv(rows_csv, index=False)
    predicted = env.run_json(COMMAND, "predict", str(rows_csv), "--run", run)
    assert predicted["source"] == str(Path(run) / "best.pt")
    assert [p["input"] for p in predicted["predictions"]] == [f"{rows_csv}:{i}" for i in range(6)]
    assert {p["label"] for p in predicted["predictions"]} <= {"bronze", "silver", "gold"}

    missing = env.run(COMMAND, "predict", str(rows_csv), "--run", run, "--exported", check=False)
    assert missing.returncode == 1
    one_line(missing.stderr, f"`{COMMAND} export` first")

    exported = env.run_json(COMMAND, "export", "--run", run)
    assert exported["max_abs_diff"] <= exported["atol"]
    assert Path(exported["preprocessing"]).is_file()
    from_export = env.run_json(COMMAND, "predict", str(rows_csv), "--run", run, "--exported")
    assert from_export["source"] == exported["pt2"]
    for a, b in zip(from_export["predictions"], predicted["predictions"], strict=True):
        assert a["label"] == b["label"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)

    pd.read_csv(rows_csv).drop(columns=["city"]).to_csv(rows_csv, index=False)
    bad = env.run(COMMAND, "predict", str(rows_csv), "--run", run, check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    one_line(bad.stderr, "has no column 'city'")


def test_a_best_metric_of_the_other_objective_is_one_line(env: ProjectEnv) -> None:
    args = ("--set", "trainer.best_metric=val_rmse", "--set", "trainer.best_mode=min")
    result = env.run(COMMAND, "train", *CSV, *args, check=False)
    assert result.returncode == 2 and result.stdout == ""
    one_line(result.stderr, "not recorded for classification")


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


@pytest.fixture(scope="module")
def ddp(env: ProjectEnv) -> dict:
    """An unbroken two-process run: its result (only rank 0 prints one)."""
    return last_json(env.run(*TORCHRUN, *STOPPABLE, "--set", "trainer.run_name=ddp").stdout)


def test_torchrun_two_processes_then_evaluate(env: ProjectEnv, ddp: dict) -> None:
    assert ddp["world_size"] == 2 and ddp["epochs_completed"] == 3
    run = Path(ddp["run_dir"])
    assert len(rows(run)) == 3
    # One process, the run's own config: the numbers the two processes recorded for best.pt.
    evaluated = env.run_json(COMMAND, "evaluate", "--run", str(run))
    assert evaluated["loss"] == pytest.approx(ddp["best_value"], rel=1e-5)
    assert evaluated["auc"] == pytest.approx(evaluated["recorded_val_auc"], abs=1e-9)


def test_torchrun_stopped_by_one_workers_sigterm_resumes_exactly(
    env: ProjectEnv, ddp: dict
) -> None:
    run = env.root / "runs" / "ddp-stopped"
    args = (*TORCHRUN, *STOPPABLE, "--set", f"trainer.run_name={run.name}")
    code, stderr = interrupt(env, args, signal.SIGTERM, run, workers=True)
    assert code != 0
    stops = [line for line in stderr.splitlines() if line.startswith(f"{COMMAND}: stopped by")]
    assert len(stops) == 2 and stops[0] == stops[1], stderr[-3000:]  # both ranks, the same step
    resumed = last_json(env.run(*TORCHRUN, "--resume", str(run)).stdout)
    assert resumed["epochs_completed"] == 3
    assert curves(run) == pytest.approx(curves(Path(ddp["run_dir"])), rel=1e-6, abs=1e-7)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
