"""Generate the PyTorch project for the `recommendation` task, install it as its printed steps say,
and run what a user runs: its tests, training the default model on a shop's interaction log of
their own (string ids, ISO 8601 times, rows out of order), evaluate beside the popularity baseline,
export, recommend for shoppers from the checkpoint and the export, an unknown shopper, bad settings
and sources, Ctrl-C then `--resume`, and a two-process torchrun."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, Recorder, interrupt, last_json, one_line, rows
from installs import SharedInstalls, task_install
from interaction_log import write_log

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("pytorch", "recommendation")
INSTALLS = (INSTALL,)

PACKAGE = "recommender"
COMMAND = "recommender"
# About 2,900 training pairs: batches of 64 give 45 steps an epoch (the default 128, 22).
LOG = ("--set", "data.source=data/log.csv", "--set", "data.batch_size=64")
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")
# About 2,000 steps per epoch of 4,000 synthetic users' training pairs, a second or more: a signal
# a moment after the first epoch's record lands mid-run (with 400 users, an epoch took 0.1 s and a
# busy machine let the whole run finish first).
STOPPABLE = (
    *("--set", "data.num_users=4000", "--set", "data.batch_size=24"),
    *("--set", "trainer.epochs=3"),
)
CURVE = ("epoch", "train_loss", "val_loss", "val_recall", "val_ndcg", "lr")
SHOPPERS = ("shopper-000", "shopper-007", "shopper-123")


def curves(run: Path) -> list[float]:
    return [float(r[k]) for r in rows(run) for k in CURVE]


def files(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    (env.root / "data").mkdir()
    write_log(env.root / "data" / "log.csv")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, record_learned: Recorder) -> dict:
    """The default model, eight epochs on the log: the run later tests evaluate, export and
    recommend with."""
    return record_learned(
        env,
        "pytorch recommendation on the interaction log",
        env.run_json(COMMAND, "train", *LOG, "--set", "trainer.epochs=8"),
    )


def test_the_log_trains_well_above_popularity(trained: dict) -> None:
    popularity = trained["baselines"]["popularity"]
    print(
        f"\nshop log, {trained['num_users']} shoppers, {trained['num_items']} products, "
        f"{trained['epochs_completed']} epochs: val_recall {trained['val_recall']:.3f}, val_ndcg "
        f"{trained['val_ndcg']:.3f}; popularity recall {popularity['recall']:.3f} (NDCG "
        f"{popularity['ndcg']:.3f})"
    )
    assert (trained["num_users"], trained["num_items"], trained["k"]) == (300, 180, 10)
    assert trained["epochs_completed"] == 8 and trained["best_metric"] == "val_ndcg"
    assert trained["val_recall"] >= 2 * popularity["recall"], trained
    assert trained["val_ndcg"] >= 2 * popularity["ndcg"], trained


def test_evaluate_reproduces_the_recorded_best(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate")
    assert result["run_dir"] == trained["run_dir"]
    assert result["ndcg"] == pytest.approx(trained["best_value"], rel=1e-9)
    for name in ("loss", "recall", "ndcg"):
        assert result[name] == pytest.approx(result[f"recorded_val_{name}"], rel=1e-9)


def test_export_then_recommend_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    exported = env.run(COMMAND, "export", "--run", run)
    assert exported.stderr == ""  # no warning from torch.export's save
    result = last_json(exported.stdout)
    print(f"\nexport max_abs_diff {result['max_abs_diff']:.3g} (atol {result['atol']:g})")
    assert result["max_abs_diff"] <= result["atol"]
    assert result["outputs"] == {"scores": "float32 [batch, 180], one per catalogue item"}
    catalog = json.loads(Path(result["catalog"]).read_text(encoding="utf-8"))
    assert len(catalog["users"]) == 300 and len(catalog["items"]) == 180

    predicted = env.run_json(COMMAND, "predict", *SHOPPERS, "--run", run)
    assert predicted["source"] == str(Path(run) / "best.pt")
    assert [p["input"] for p in predicted["predictions"]] == list(SHOPPERS)
    for prediction in predicted["predictions"]:
        met = catalog["seen"][catalog["users"].index(prediction["input"])]
        items = [i["item"] for i in prediction["items"]]
        assert len(set(items)) == 10 and not set(items) & {catalog["items"][i] for i in met}
    from_export = env.run_json(COMMAND, "predict", *SHOPPERS, "--run", run, "--exported")
    assert from_export["source"] == result["pt2"]
    for a, b in zip(from_export["predictions"], predicted["predictions"], strict=True):
        assert [i["item"] for i in a["items"]] == [i["item"] for i in b["items"]]
        for x, y in zip(a["items"], b["items"], strict=True):
            assert x["score"] == pytest.approx(y["score"], abs=1e-5)


@pytest.mark.parametrize("exported", [False, True])
def test_an_unknown_shopper_is_one_line(env: ProjectEnv, trained: dict, exported: bool) -> None:
    run = Path(trained["run_dir"])
    if exported and not (run / "export" / "catalog.json").is_file():
        env.run(COMMAND, "export", "--run", run)
    before = files(run)
    args = ("predict", "shopper-000", "shopper-999", "--run", str(run))
    result = env.run(COMMAND, *args, *(["--exported"] if exported else []), check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line == (
        f"{COMMAND}: unknown user id 'shopper-999': the model knows the 300 users of its training "
        "interactions"
    )
    assert files(run) == before


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere.csv", "data.source 'data/nowhere.csv' does not exist"),
        ("data.source=data/broken.csv", "has no column 'item_id'; it has 'user_id', 'product'"),
        ("data.source=data/late.csv", "timestamp 'yesterday' is neither a number nor an ISO"),
        ("data.batch_size=4096", "data.batch_size = 4096 is more than the"),
        ("model.temperature=0", "model.temperature"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(env: ProjectEnv, setting: str, message: str) -> None:
    (env.root / "data" / "broken.csv").write_text("user_id,product\nann,tea\n", encoding="utf-8")
    late = "user_id,item_id,timestamp\nann,tea,2026-01-01\nann,cake,yesterday\n"
    (env.root / "data" / "late.csv").write_text(late, encoding="utf-8")
    runs = sorted((env.root / "runs").glob("*")) if (env.root / "runs").is_dir() else []
    result = env.run(COMMAND, "train", *LOG, "--set", setting, check=False)
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


def test_torchrun_two_processes_then_evaluate(env: ProjectEnv) -> None:
    args = (*STOPPABLE, "--set", "trainer.epochs=1", "--set", "trainer.run_name=ddp")
    result = last_json(env.run(*TORCHRUN, *args).stdout)
    assert result["world_size"] == 2 and result["epochs_completed"] == 1
    evaluated = env.run_json(COMMAND, "evaluate", "--run", result["run_dir"])
    # The ranks' sums, added in another order than one process adds them.
    assert evaluated["ndcg"] == pytest.approx(result["best_value"], rel=1e-6)
    assert evaluated["recall"] == pytest.approx(evaluated["recorded_val_recall"], rel=1e-6)
    assert evaluated["num_val_users"] == 4000


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
