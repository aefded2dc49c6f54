"""Generate the PyTorch project for the `text-classification` task, install it as its printed steps
say, and run what a user runs: its tests, training on a labelled CSV of their own (string labels),
a JSONL file and a folder of class sub-folders, evaluate beside the majority baseline, export with
its tokenizer, predict texts and files of lines from the checkpoint and the export, Ctrl-C then
`--resume`, and a two-process torchrun."""

from __future__ import annotations

import json
import random
import signal
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, interrupt, last_json, one_line, rows
from installs import SharedInstalls, task_install

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("pytorch", "text-classification")
INSTALLS = (INSTALL,)

PACKAGE = "text_classifier"
COMMAND = "text-classifier"
CSV = ("--set", "data.source=data/topics.csv", "--set", "data.label_column=topic")
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")
# 200 steps per epoch (about a second on a CPU): a signal a moment after the first epoch's record
# lands mid-run.
STOPPABLE = (
    *("--set", "data.num_samples=4000", "--set", "data.batch_size=16"),
    *("--set", "trainer.epochs=3", "--set", "model.layers=1"),
)
CURVE = ("epoch", "train_loss", "val_loss", "val_accuracy", "val_macro_f1", "lr")
TOPICS = {
    "sport": ["match", "goal", "team", "coach", "season", "league", "striker", "referee"],
    "weather": ["rain", "storm", "cloud", "sunny", "forecast", "wind", "snow", "humid"],
    "cooking": ["recipe", "oven", "flour", "garlic", "simmer", "sauce", "bake", "spice"],
}
FILLER = ["the", "a", "today", "we", "it", "was", "really", "quite", "so", "and", "then", "again"]


def topic_text(rng: random.Random, topic: str) -> str:
    """Two topic words among filler words, and one word of another topic as noise."""
    other = rng.choice([t for t in TOPICS if t != topic])
    words = [*rng.sample(TOPICS[topic], 2), rng.choice(TOPICS[other]), *rng.sample(FILLER, 4)]
    rng.shuffle(words)
    return " ".join(words)


def write_topics(path: Path, count: int = 600, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    examples = [(topic_text(rng, t), t) for t in [*TOPICS] * (count // len(TOPICS))]
    rng.shuffle(examples)
    path.write_text(
        "id,text,topic\n" + "".join(f'{i},"{x}",{y}\n' for i, (x, y) in enumerate(examples))
    )
    return examples


def curves(run: Path) -> list[float]:
    return [float(r[k]) for r in rows(run) for k in CURVE]


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    (env.root / "data").mkdir()
    write_topics(env.root / "data" / "topics.csv")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    """Six epochs on the CSV: the run later tests evaluate, export and predict with."""
    return env.run_json(COMMAND, "train", *CSV, "--set", "trainer.epochs=6")


def test_a_labelled_csv_trains_well_above_chance(trained: dict) -> None:
    assert trained["num_classes"] == 3 and trained["epochs_completed"] == 6
    assert trained["baselines"]["majority"]["accuracy"] < 0.4  # three balanced classes
    assert trained["val_accuracy"] > 0.8, trained
    assert trained["val_macro_f1"] > 0.8, trained


def test_evaluate_reproduces_the_recorded_best(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate")
    assert result["run_dir"] == trained["run_dir"]
    assert result["loss"] == pytest.approx(trained["best_value"], rel=1e-5)
    assert result["accuracy"] == pytest.approx(result["recorded_val_accuracy"], abs=1e-9)
    assert result["macro_f1"] == pytest.approx(result["recorded_val_macro_f1"], abs=1e-9)


def test_export_then_predict_texts_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    lines = env.root / "data" / "new.txt"
    lines.write_text("the storm and the wind today\n\nwe bake the garlic sauce\n")
    args = ("predict", "the striker and the coach", str(lines), "--run", run)
    predicted = env.run_json(COMMAND, *args)
    assert predicted["source"] == str(Path(run) / "best.pt")
    inputs = [p["input"] for p in predicted["predictions"]]
    assert inputs == ["the striker and the coach", "the storm and the wind today",
                      "we bake the garlic sauce"]  # fmt: skip
    assert [p["label"] for p in predicted["predictions"]] == ["sport", "weather", "cooking"]

    exported = env.run_json(COMMAND, "export", "--run", run)
    assert exported["max_abs_diff"] <= exported["atol"]
    tokenizer = json.loads(Path(exported["tokenizer"]).read_text())
    assert tokenizer["model"]["vocab"]["[PAD]"] == 0
    from_export = env.run_json(COMMAND, *args, "--exported")
    assert from_export["source"] == exported["pt2"]
    for a, b in zip(from_export["predictions"], predicted["predictions"], strict=True):
        assert a["label"] == b["label"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_jsonl_and_a_folder_of_classes_train(env: ProjectEnv) -> None:
    examples = write_topics(env.root / "data" / "unused.csv", count=90, seed=1)
    jsonl = env.root / "data" / "topics.jsonl"
    jsonl.write_text("".join(json.dumps({"body": x, "label": y}) + "\n" for x, y in examples))
    folder = env.root / "data" / "folder"
    for i, (text, topic) in enumerate(examples):
        (folder / topic).mkdir(parents=True, exist_ok=True)
        (folder / topic / f"{i}.txt").write_text(text)
    quick = ("--set", "trainer.epochs=1")
    for source, extra in ((jsonl, ("--set", "data.text_column=body")), (folder, ())):
        result = env.run_json(COMMAND, "train", "--set", f"data.source={source}", *extra, *quick)
        assert result["num_classes"] == 3 and result["epochs_completed"] == 1, source


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("data.text_column=review", "data.text_column"),
        ("model.pretrained=./no-such-model", "model.pretrained"),
    ],
)
def test_a_bad_column_or_pretrained_model_is_one_line(
    env: ProjectEnv, setting: str, key: str
) -> None:
    runs = sorted((env.root / "runs").glob("*")) if (env.root / "runs").is_dir() else []
    result = env.run(COMMAND, "train", *CSV, "--set", setting, check=False)
    assert result.returncode != 0 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and key in line, line
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
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)
    assert evaluated["macro_f1"] == pytest.approx(evaluated["recorded_val_macro_f1"], abs=1e-9)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
