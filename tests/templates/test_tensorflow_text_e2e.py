"""Generate the TensorFlow project for the `text-classification` task, install it as its printed
steps say, and run what a user runs: its tests, training on a labelled CSV (string labels), a
JSONL file and a folder of class sub-folders, evaluate, export a SavedModel with its tokenizer,
predict from the checkpoint and the export, and a two-worker MultiWorkerMirroredStrategy run."""

from __future__ import annotations

import json

import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests
from installs import SharedInstalls, task_install
from test_pytorch_text_e2e import write_topics
from test_tensorflow_e2e import curves, rows, sets

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "text-classification")
INSTALLS = (INSTALL,)

COMMAND = "text-classifier"
TIMEOUT = 600
CLASSES = ["cooking", "sport", "weather"]
CSV = ("data.source=topics.csv", "data.label_column=topic")
# About 60 steps per epoch: a signal a moment after training starts lands mid-run.
LONG = ("data.num_samples=2400", "trainer.epochs=2", "model.layers=1")


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_topics(env.root / "topics.csv")
    return env


@pytest.fixture(scope="module")
def csv_run(env: ProjectEnv) -> dict:
    overrides = (*CSV, "trainer.epochs=6", "trainer.run_name=topics")
    return env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)


def test_a_labelled_csv_trains_well_above_chance(csv_run: dict) -> None:
    assert csv_run["epochs_completed"] == 6 and csv_run["class_names"] == CLASSES
    assert csv_run["baselines"]["majority"]["accuracy"] < 0.4  # three balanced classes
    assert csv_run["val_accuracy"] > 0.8, csv_run
    assert csv_run["val_macro_f1"] > 0.8, csv_run


def test_evaluate_reproduces_the_best_epoch(env: ProjectEnv, csv_run: dict) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", csv_run["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / csv_run["run_dir"])[csv_run["best_epoch"] - 1]
    for name in ("val_loss", "val_accuracy", "val_macro_f1"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name


def test_export_and_predict_agree(env: ProjectEnv, csv_run: dict) -> None:
    run = csv_run["run_dir"]
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    assert exported["max_abs_diff"] < 1e-5 and exported["tokenizer_ids_match"]
    tokenizer = env.root / exported["tokenizer"]  # relative to the project, where it ran
    assert json.loads(tokenizer.read_text())["model"]["vocab"]["[PAD]"] == 0
    lines = env.root / "new.txt"
    lines.write_text("the storm and the wind today\nwe bake the garlic sauce\n")
    args = ("predict", "--run", run, "the striker and the coach", lines.name)
    from_checkpoint = env.run_json(COMMAND, *args, timeout=TIMEOUT)
    from_export = env.run_json(COMMAND, *args, "--exported", timeout=TIMEOUT)
    assert from_export["source"] == exported["saved_model"]
    labels = [p["label"] for p in from_checkpoint["predictions"]]
    assert labels == ["sport", "weather", "cooking"]
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["input"] == b["input"] and a["label"] == b["label"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_jsonl_and_a_folder_of_classes_train(env: ProjectEnv) -> None:
    examples = write_topics(env.root / "unused.csv", count=90, seed=1)
    jsonl = env.root / "topics.jsonl"
    jsonl.write_text("".join(json.dumps({"body": x, "label": y}) + "\n" for x, y in examples))
    folder = env.root / "folder"
    for i, (text, topic) in enumerate(examples):
        (folder / topic).mkdir(parents=True, exist_ok=True)
        (folder / topic / f"{i}.txt").write_text(text)
    for source, extra in ((jsonl, ("data.text_column=body",)), (folder, ())):
        overrides = (f"data.source={source}", *extra, "trainer.epochs=1")
        result = env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)
        assert result["num_classes"] == 3 and result["epochs_completed"] == 1, source


def test_a_file_without_the_text_column_is_one_line(env: ProjectEnv) -> None:
    result = env.run(COMMAND, "train", *sets(*CSV, "data.text_column=review"), check=False)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    assert "data.text_column" in lines[0] and "Traceback" not in result.stderr


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, LONG, delay=0.0)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    overrides = (*CSV, "trainer.epochs=1", "trainer.run_name=two-workers")
    agreed = ("train_loss", "val_loss", "val_accuracy", "val_macro_f1")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
