"""Generate the TensorFlow project for the `recommendation` task, install it as its printed steps
say, and run what a user runs: its tests, training the default model on a shop's interaction log
(string ids, ISO 8601 times, rows out of order), evaluate beside the popularity baseline, export a
SavedModel that scores users against the catalogue, recommend for shoppers from the checkpoint
and the export, an unknown shopper, SIGINT then `--resume`, and a two-worker
MultiWorkerMirroredStrategy run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests, Recorder
from installs import SharedInstalls, task_install
from interaction_log import write_log
from test_tensorflow_e2e import curves, rows, sets

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "recommendation")
INSTALLS = (INSTALL,)

COMMAND = "recommender"
TIMEOUT = 600
# About 2,900 training pairs: batches of 64 give 45 steps an epoch (the default 128, 22).
LOG = ("data.source=data/log.csv", "data.batch_size=64")
# 203 steps per epoch of 400 synthetic users' 4,888 training pairs: a signal a moment after
# training starts lands mid-run.
STOPPABLE = ("data.num_users=400", "data.batch_size=24", "trainer.epochs=2")
SHOPPERS = ("shopper-000", "shopper-007", "shopper-123")


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
    overrides = (*LOG, "trainer.epochs=8", "trainer.run_name=log")
    result = env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)
    return record_learned(env, "tensorflow recommendation on the interaction log", result)


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


def test_evaluate_reproduces_the_best_epoch(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", trained["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / trained["run_dir"])[trained["best_epoch"] - 1]
    assert result["val_ndcg"] == pytest.approx(trained["best_val_ndcg"], rel=1e-5)
    for name in ("val_loss", "val_recall", "val_ndcg"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name


def test_export_then_recommend_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    print(f"\nexport max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["max_abs_diff"] < 1e-5 and exported["checked_shapes"] == [[8], [1]]
    assert exported["output"] == "scores float32 [batch, 180], one per catalogue item"
    catalog = json.loads(Path(env.root / exported["catalog"]).read_text(encoding="utf-8"))
    assert len(catalog["users"]) == 300 and len(catalog["items"]) == 180

    args = ("predict", *SHOPPERS, "--run", run)
    predicted = env.run_json(COMMAND, *args, timeout=TIMEOUT)
    assert [p["input"] for p in predicted["predictions"]] == list(SHOPPERS)
    for prediction in predicted["predictions"]:
        met = catalog["seen"][catalog["users"].index(prediction["input"])]
        items = [i["item"] for i in prediction["items"]]
        assert len(set(items)) == 10 and not set(items) & {catalog["items"][i] for i in met}
    from_export = env.run_json(COMMAND, *args, "--exported", timeout=TIMEOUT)
    assert from_export["source"] == exported["saved_model"]
    for a, b in zip(from_export["predictions"], predicted["predictions"], strict=True):
        assert [i["item"] for i in a["items"]] == [i["item"] for i in b["items"]]
        for x, y in zip(a["items"], b["items"], strict=True):
            assert x["score"] == pytest.approx(y["score"], abs=1e-5)


@pytest.mark.parametrize("exported", [False, True])
def test_an_unknown_shopper_is_one_line(env: ProjectEnv, trained: dict, exported: bool) -> None:
    run = env.root / trained["run_dir"]
    if exported and not (run / "export" / "catalog.json").is_file():
        env.run(COMMAND, "export", "--run", str(run), timeout=TIMEOUT)
    before = files(run)
    args = ("predict", "shopper-000", "shopper-999", "--run", str(run))
    result = env.run(COMMAND, *args, *(["--exported"] if exported else []), check=False)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and result.stdout == "" and len(lines) == 1, result.stderr
    assert lines[0] == (
        f"{COMMAND}: unknown user id 'shopper-999': the model knows the 300 users of its training "
        "interactions"
    )
    assert files(run) == before


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, STOPPABLE, delay=0.5)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    overrides = (*STOPPABLE, "trainer.epochs=1", "trainer.run_name=two-workers")
    agreed = ("train_loss", "val_loss", "val_recall", "val_ndcg")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    # Each worker scored half of every held-out batch; one process scores them whole.
    assert evaluated["val_ndcg"] == pytest.approx(results[0]["best_val_ndcg"], rel=1e-5)
    assert evaluated["val_recall"] == pytest.approx(results[0]["val_recall"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
