"""End to end, the Keras template's recommendation task: generate with `scaffold new --set
task=recommendation`, install with the printed step (TensorFlow backend; JAX and PyTorch beside
it), run the project's tests, train on a shop's interaction log (`interaction_log.py`, the log
every template's recommendation e2e trains on), evaluate beside the popularity baseline, stop a
real run with a signal and resume it, export, recommend from the checkpoint and from the export,
refuse an unknown shopper in one line; on JAX the same through jax2tf and data-parallel training
over two CPU devices; on PyTorch through ONNX."""

from __future__ import annotations

import json
import signal

import pytest
from harness import ProjectEnv, Recorder, interrupt, one_line, rows
from installs import KerasTask, KerasTaskProjects, SharedInstalls, install_keras_task
from interaction_log import write_log

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("recommendation")
INSTALLS = PROJECTS.installs

BACKENDS = ("tensorflow", "jax", "torch")
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
COMMAND = "recommender"
# About 2,900 training pairs: batches of 64 give 45 steps an epoch (the default 128, 22).
LOG = ("--set", "data.source=data/log.csv", "--set", "data.batch_size=64")
EPOCHS = 8
# 203 steps per epoch of 400 synthetic users' 4,888 training pairs: a signal a moment after the
# first epoch's record lands mid-run.
STOPPABLE = ("--set", "data.num_users=400", "--set", "data.batch_size=24",
             "--set", "trainer.epochs=3", "--set", "trainer.tensorboard=false")  # fmt: skip
CURVE = ("train_loss", "val_loss", "val_recall", "val_ndcg")
SHOPPERS = ("shopper-000", "shopper-007", "shopper-123")


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    task = install_keras_task(tmp_path_factory, shared_installs, PROJECTS)
    for project in task.projects.values():
        (project.root / "data").mkdir(exist_ok=True)
        write_log(project.root / "data" / "log.csv")
    return task


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv, record_learned: Recorder) -> dict:
    """The default model, eight epochs on the log: the run later tests evaluate, export and
    recommend with."""
    result = tf_project.run_json(COMMAND, "train", *LOG, "--set", f"trainer.epochs={EPOCHS}",
                               "--set", "trainer.run_name=log")  # fmt: skip
    return record_learned(
        tf_project, "keras (tensorflow) recommendation on the interaction log", result
    )


def test_the_log_trains_well_above_popularity(tf_project: ProjectEnv, trained: dict) -> None:
    popularity = trained["baselines"]["popularity"]
    print(
        f"\nkeras/tensorflow shop log, {trained['num_users']} shoppers, {trained['num_items']} "
        f"products, {EPOCHS} epochs: val_recall {trained['val_recall']:.3f}, val_ndcg "
        f"{trained['val_ndcg']:.3f}; popularity recall {popularity['recall']:.3f} (NDCG "
        f"{popularity['ndcg']:.3f}), {trained['wall_s']} s"
    )
    assert (trained["num_users"], trained["num_items"], trained["k"]) == (300, 180, 10)
    assert trained["epochs_completed"] == EPOCHS and trained["best_metric"] == "val_ndcg"
    assert trained["val_recall"] >= 2 * popularity["recall"], trained
    assert trained["val_ndcg"] >= 2 * popularity["ndcg"], trained
    evaluated = tf_project.run_json(COMMAND, "evaluate", "--run", trained["run_dir"])
    assert evaluated["ndcg"] == pytest.approx(trained["best_value"], rel=1e-6)
    assert evaluated["baselines"] == trained["baselines"] and evaluated["num_samples"] == 300


def test_a_signal_stops_a_real_run_and_resume_matches(tf_project: ProjectEnv) -> None:
    straight = tf_project.run_json(COMMAND, "train", *STOPPABLE, "--set", "trainer.run_name=whole")
    run = tf_project.root / "runs" / "cut"
    args = (COMMAND, "train", *STOPPABLE, "--set", f"trainer.run_name={run.name}")
    code, err = interrupt(tf_project, args, signal.SIGINT, run)
    assert code == 130, err[-3000:]
    assert "stopped by SIGINT" in one_line(err)
    resumed = tf_project.run_json(COMMAND, "train", "--resume", str(run))
    assert resumed["epochs_completed"] == 3 and resumed["epochs_this_run"] < 3
    whole = tf_project.root / straight["run_dir"]
    assert len(rows(run)) == len(rows(whole)) == 3
    for mine, theirs in zip(rows(run), rows(whole), strict=True):
        for key in CURVE:
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)


def recommend_both_ways(project: ProjectEnv, run_dir: str) -> list[dict]:
    """The recommendations for SHOPPERS from the checkpoint, checked against the export's: ten
    items each, none the shopper met in training."""
    catalog = json.loads((project.root / run_dir / "export" / "catalog.json").read_text())
    first, second = (
        project.run_json(COMMAND, "predict", *SHOPPERS, "--run", run_dir, *flag)
        for flag in ((), ("--exported",))
    )
    assert first["source"].endswith("best.keras") and "export" in second["source"]
    assert [p["input"] for p in first["predictions"]] == list(SHOPPERS)
    for mine, theirs in zip(first["predictions"], second["predictions"], strict=True):
        met = {catalog["items"][i] for i in catalog["seen"][catalog["users"].index(mine["input"])]}
        items = [i["item"] for i in mine["items"]]
        assert len(set(items)) == 10 and not set(items) & met
        assert items == [i["item"] for i in theirs["items"]]
        for x, y in zip(mine["items"], theirs["items"], strict=True):
            assert x["score"] == pytest.approx(y["score"], abs=1e-4)
    return first["predictions"]


def test_export_and_recommend(tf_project: ProjectEnv, trained: dict) -> None:
    run_dir = trained["run_dir"]
    missing = tf_project.run(COMMAND, "predict", *SHOPPERS, "--run", run_dir, "--exported",
                             check=False)  # fmt: skip
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    exported = tf_project.run_json(COMMAND, "export", "--run", run_dir)
    print(f"\nkeras/tensorflow export max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["format"] == "tf_saved_model" and exported["max_abs_diff"] < 1e-4
    catalog = json.loads((tf_project.root / exported["catalog"]).read_text())
    assert len(catalog["users"]) == 300 and len(catalog["items"]) == 180
    recommend_both_ways(tf_project, run_dir)


@pytest.mark.parametrize("exported", [False, True])
def test_an_unknown_shopper_is_one_line(
    tf_project: ProjectEnv, trained: dict, exported: bool
) -> None:
    run = tf_project.root / trained["run_dir"]
    if exported and not (run / "export" / "catalog.json").is_file():
        tf_project.run(COMMAND, "export", "--run", str(run))
    before = {str(p): p.stat().st_mtime for p in run.rglob("*")}
    args = ("predict", "shopper-000", "shopper-999", "--run", str(run))
    result = tf_project.run(COMMAND, *args, *(["--exported"] if exported else []), check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert one_line(result.stderr) == (
        f"{COMMAND}: unknown user id 'shopper-999': the model knows the 300 users of its training "
        "interactions"
    )
    assert {str(p): p.stat().st_mtime for p in run.rglob("*")} == before


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_export_and_recommend_on_other_backends(installed: KerasTask, backend: str) -> None:
    project = installed.projects[backend]
    args = (*LOG, "--set", "trainer.epochs=3", "--set", "trainer.tensorboard=false")
    trained = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=short")
    popularity = trained["baselines"]["popularity"]
    print(f"\nkeras/{backend} shop log, 3 epochs: val_recall {trained['val_recall']:.3f} "
          f"(popularity {popularity['recall']:.3f})")  # fmt: skip
    assert trained["backend"] == backend and trained["val_recall"] > 2 * popularity["recall"]
    exported = project.run_json(COMMAND, "export", "--run", trained["run_dir"])
    expected = "onnx" if backend == "torch" else "tf_saved_model"
    assert exported["format"] == expected and exported["max_abs_diff"] < 1e-4
    recommend_both_ways(project, trained["run_dir"])
    if backend == "jax":  # batches of 64 pairs split over two CPU devices
        dp = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=dp",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        assert dp["val_recall"] > 2 * popularity["recall"], dp
        evaluated = project.run_json(COMMAND, "evaluate", "--run", "runs/dp")
        assert evaluated["ndcg"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    installed.tests.result()
