"""End to end, the Keras template's text-classification task: generate with `scaffold new --set
task=text-classification`, install with the printed step (TensorFlow backend; JAX and PyTorch
beside it), run the project's tests, train on a written CSV, a JSONL file and a folder of .txt
classes, stop a real run with a signal and resume it, evaluate with the baseline, export, and
predict texts from the checkpoint and from the export; data-parallel training on JAX."""

# numpy is imported inside the functions that use it, not here: it starts native threads
# (OpenBLAS) that would then live in the whole test process, and a signal sent to the process can
# land on such a thread, outside the mask that scaffold's own in-process signal tests hold it with.
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import ProjectEnv, one_line, rows
from installs import (
    KerasTask,
    KerasTaskProjects,
    SharedInstalls,
    install_keras_task,
    run_preset_tests,
)

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("text-classification", "Text {backend} e2e")
INSTALLS = PROJECTS.installs

BACKENDS = ("tensorflow", "jax", "torch")
TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
ROWS = 600
TOPICS = {
    "sport": ["match", "goal", "team", "coach", "league", "striker", "referee", "season"],
    "science": ["experiment", "theory", "molecule", "physics", "telescope", "genome", "lab"],
    "cooking": ["recipe", "oven", "flavour", "sauce", "chef", "garlic", "dough", "simmer"],
}
FILLER = ["the", "a", "was", "about", "today", "really", "new", "and", "we", "read", "news"]


def topic_rows(count: int = ROWS, seed: int = 11) -> list[tuple[str, str]]:
    """Sentences of shared filler words around two words of their topic (and some noise)."""
    import numpy as np  # not at module level: see the note at the top

    rng = np.random.default_rng(seed)
    names = sorted(TOPICS)
    out = []
    for i in range(count):
        topic = names[i % len(names)]
        words = list(rng.choice(FILLER, size=int(rng.integers(4, 10))))
        for word in rng.choice(TOPICS[topic], size=2):
            words.insert(int(rng.integers(0, len(words) + 1)), str(word))
        out.append((" ".join(words), topic))
    return out


def write_csv(path: Path) -> Path:
    lines = ["body,topic"] + [f"{text},{label}" for text, label in topic_rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    return install_keras_task(tmp_path_factory, shared_installs, PROJECTS)


def cmd(project: ProjectEnv) -> str:
    return project.root.name


def on_csv(project: ProjectEnv) -> tuple[str, ...]:
    path = write_csv(project.root / "topics.csv")
    return ("--set", f"data.source={path}", "--set", "data.text_column=body",
            "--set", "data.label_column=topic")  # fmt: skip


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv) -> dict:
    """Four epochs on the written CSV: the reference for evaluate, resume and predict."""
    args = (*on_csv(tf_project), "--set", "trainer.epochs=4", "--set", "trainer.run_name=csv",
            "--set", "trainer.best_metric=val_accuracy", "--set", "trainer.best_mode=max")  # fmt: skip
    return tf_project.run_json(cmd(tf_project), "train", *args)


def test_the_csv_is_learned_well_above_chance(tf_project: ProjectEnv, trained: dict) -> None:
    assert trained["classes"] == ["cooking", "science", "sport"] and trained["num_classes"] == 3
    majority = trained["baselines"]["majority"]["accuracy"]
    assert trained["val_accuracy"] > max(0.9, majority + 0.4), trained
    assert trained["val_macro_f1"] > 0.9
    print(f"keras/tensorflow CSV: val_accuracy {trained['val_accuracy']:.3f} in 3 epochs")
    run = tf_project.root / trained["run_dir"]
    assert (run / "tokenizer.json").is_file()
    assert json.loads((run / "corpus.json").read_text())["classes"] == trained["classes"]
    evaluated = tf_project.run_json(cmd(tf_project), "evaluate", "--run", trained["run_dir"])
    assert evaluated["accuracy"] == pytest.approx(trained["best_value"], rel=1e-6)
    assert evaluated["baselines"] == trained["baselines"] and evaluated["num_samples"] == 120


def test_jsonl_and_a_folder_of_classes_train(tf_project: ProjectEnv) -> None:
    data = topic_rows(150, seed=3)
    jsonl = tf_project.root / "topics.jsonl"
    jsonl.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in data))
    folder = tf_project.root / "folder"
    for i, (text, label) in enumerate(data):
        (folder / label).mkdir(parents=True, exist_ok=True)
        (folder / label / f"{i}.txt").write_text(text)
    for name, source in (("jsonl", jsonl), ("folder", folder)):
        result = tf_project.run_json(
            cmd(tf_project), "train", "--set", f"data.source={source}", "--set", "trainer.epochs=2",
            "--set", f"trainer.run_name={name}", "--set", "trainer.tensorboard=false",
        )  # fmt: skip
        assert result["classes"] == ["cooking", "science", "sport"], name
        assert result["epochs_completed"] == 2 and 0 <= result["val_accuracy"] <= 1


def test_a_signal_stops_a_real_run_and_resume_matches(
    tf_project: ProjectEnv, trained: dict
) -> None:
    command = [str(tf_project.bin / cmd(tf_project)), "train", *on_csv(tf_project),
               "--set", "trainer.epochs=4", "--set", "trainer.run_name=cut",
               "--set", "trainer.best_metric=val_accuracy", "--set", "trainer.best_mode=max"]  # fmt: skip
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
    assert resumed["epochs_completed"] == 4
    straight = tf_project.root / trained["run_dir"]
    assert len(rows(run)) == len(rows(straight)) == 4
    for mine, theirs in zip(rows(run), rows(straight), strict=True):
        for key in ("train_loss", "val_loss", "val_accuracy", "val_macro_f1"):
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7)


def test_export_and_predict_texts(tf_project: ProjectEnv, trained: dict) -> None:
    run_dir = trained["run_dir"]
    texts = tf_project.root / "new_texts.txt"
    texts.write_text("the chef made a garlic sauce\nthe striker scored a goal\n\n")
    missing = tf_project.run(cmd(tf_project), "predict", "a recipe", "--run", run_dir,
                             "--exported", check=False)  # fmt: skip
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    exported = tf_project.run_json(cmd(tf_project), "export", "--run", run_dir)
    assert exported["max_abs_diff"] < 1e-4
    assert (tf_project.root / exported["tokenizer"]).name == "tokenizer.json"
    labels = json.loads((tf_project.root / exported["labels"]).read_text())
    assert labels == ["cooking", "science", "sport"]
    inputs = ("a telescope experiment in the lab", str(texts), "--run", run_dir)
    results = [
        tf_project.run_json(cmd(tf_project), "predict", *inputs, *flag)
        for flag in ((), ("--exported",))
    ]
    first, second = (r["predictions"] for r in results)
    assert [p["label"] for p in first] == ["science", "cooking", "sport"]
    assert first[1]["input"] == "the chef made a garlic sauce"
    for mine, theirs in zip(first, second, strict=True):
        assert mine["label"] == theirs["label"]
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-4)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("data.text_column=review", "data.text_column"),
        ("model.pretrained=./no-such-preset", "model.pretrained"),
    ],
)
def test_a_bad_text_setting_is_one_line_and_leaves_no_run(
    tf_project: ProjectEnv, setting: str, named: str
) -> None:
    path = write_csv(tf_project.root / "topics.csv")
    runs = tf_project.root / "refused-runs"
    refused = tf_project.run(cmd(tf_project), "train", "--set", f"data.source={path}",
                             "--set", setting, "--set", f"trainer.runs_dir={runs}",
                             check=False)  # fmt: skip
    assert refused.returncode == 2 and named in one_line(refused.stderr)
    assert not runs.exists()


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_resume_and_predict_on_other_backends(installed: KerasTask, backend: str) -> None:
    project = installed.projects[backend]
    args = (
        *on_csv(project),
        "--set",
        "trainer.run_name=short",
        "--set",
        "trainer.tensorboard=false",
    )
    first = project.run_json(cmd(project), "train", *args, "--set", "trainer.epochs=1")
    assert first["backend"] == backend
    resumed = project.run_json(cmd(project), "train", "--resume", first["run_dir"],
                               "--set", "trainer.epochs=3")  # fmt: skip
    assert resumed["epochs_completed"] == 3 and resumed["val_accuracy"] > 0.8, resumed
    print(f"keras/{backend} CSV: val_accuracy {resumed['val_accuracy']:.3f} in 3 epochs")
    predicted = project.run_json(cmd(project), "predict", "the coach of the team", "--run",
                                 first["run_dir"])  # fmt: skip
    assert [p["label"] for p in predicted["predictions"]] == ["sport"]
    if backend == "jax":  # the 480 training texts split over two CPU devices
        dp = project.run_json(cmd(project), "train", *on_csv(project), "--set", "trainer.epochs=1",
                              "--set", "trainer.run_name=dp", "--set", "trainer.tensorboard=false",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        evaluated = project.run_json(cmd(project), "evaluate", "--run", "runs/dp")
        assert evaluated["loss"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    installed.tests.result()


def test_a_preset_fine_tunes_and_exports_on_jax(installed: KerasTask) -> None:
    """The project's own preset tests (`pytest -m pretrained`, after installing the `pretrained`
    extra as its README says) on the JAX backend, whose export goes through jax2tf with the
    sequence length bounded by the preset's position table. Last in the module: the extra brings
    the full TensorFlow package into the venv."""
    assert "2 passed" in run_preset_tests(installed.projects["jax"], after=installed.tests)
