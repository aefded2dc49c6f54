"""End to end, the Keras template's language model: generate with `scaffold new --set
task=language-model`, install with the printed step (TensorFlow backend; JAX and PyTorch beside
it), run the project's tests, train the default Transformer on a folder of notes
(`text_corpus.py`, the corpus every template's language-model e2e trains on) until its perplexity
is far below the unigram baseline, evaluate, stop a real run with a signal and resume it, export,
continue prompts from the checkpoint and from the export, refuse bad sources in one line; on JAX
the same through jax2tf and data-parallel training over two CPU devices; on PyTorch through
ONNX; and, with the `pretrained` extra, fine-tune a KerasHub preset."""

from __future__ import annotations

import signal

import pytest
from harness import ProjectEnv, Recorder, interrupt, one_line, rows
from installs import (
    KerasTask,
    KerasTaskProjects,
    SharedInstalls,
    install_keras_task,
    run_preset_tests,
)
from text_corpus import write_corpus

pytestmark = pytest.mark.e2e
PROJECTS = KerasTaskProjects("language-model")
INSTALLS = PROJECTS.installs

TWO_CPU_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
COMMAND = "language-model"
NOTES = ("--set", "data.source=data/notes")
EPOCHS = 8
# About 85 steps per epoch of the synthetic stories in batches of 8: a signal a moment after the
# first epoch's record lands mid-run.
STOPPABLE = ("--set", "data.batch_size=8", "--set", "trainer.epochs=3",
             "--set", "trainer.tensorboard=false")  # fmt: skip
CURVE = ("train_loss", "val_loss", "val_perplexity")
PROMPTS = ("on monday the sky over lisbon", "the wind in bergen came from the", "")


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls
) -> KerasTask:
    task = install_keras_task(tmp_path_factory, shared_installs, PROJECTS)
    for project in task.projects.values():
        write_corpus(project.root / "data" / "notes")
    return task


@pytest.fixture(scope="module")
def tf_project(installed: KerasTask) -> ProjectEnv:
    return installed.projects["tensorflow"]


@pytest.fixture(scope="module")
def trained(tf_project: ProjectEnv, record_learned: Recorder) -> dict:
    """The default model, eight epochs on the notes: the run later tests evaluate, export and
    continue prompts with."""
    result = tf_project.run_json(COMMAND, "train", *NOTES, "--set", f"trainer.epochs={EPOCHS}",
                               "--set", "trainer.run_name=notes")  # fmt: skip
    return record_learned(
        tf_project, "keras (tensorflow) language-model on the notes corpus", result
    )


def test_the_notes_are_learned_far_below_the_unigram_baseline(
    tf_project: ProjectEnv, trained: dict
) -> None:
    unigram = trained["baselines"]["unigram"]["perplexity"]
    run = tf_project.root / trained["run_dir"]
    perplexities = [float(r["val_perplexity"]) for r in rows(run)]
    print(
        f"\nkeras/tensorflow notes, {trained['num_train_tokens']} training and "
        f"{trained['num_val_tokens']} held-out tokens, vocabulary {trained['vocab_size']}, "
        f"{EPOCHS} epochs: val_perplexity {' > '.join(f'{p:.2f}' for p in perplexities)}; "
        f"unigram {unigram:.1f}, {trained['wall_s']} s"
    )
    assert trained["epochs_completed"] == EPOCHS and trained["vocab_size"] <= 512
    assert perplexities[-1] < perplexities[0]
    assert trained["val_perplexity"] <= 0.25 * unigram, trained
    evaluated = tf_project.run_json(COMMAND, "evaluate", "--run", trained["run_dir"])
    best = rows(run)[trained["best_epoch"] - 1]
    for name in ("loss", "perplexity"):
        assert evaluated[name] == pytest.approx(float(best[f"val_{name}"]), rel=1e-5), name


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


def continue_both_ways(project: ProjectEnv, run_dir: str) -> dict:
    """The prompts' continuations from the checkpoint and from the export, greedy and sampled:
    the same text both ways."""
    for flags in (("--temperature", "0"), ("--temperature", "0.8", "--seed", "3")):
        args = ("predict", *PROMPTS, "--run", run_dir, "--max-new-tokens", "30", *flags)
        first, second = (
            project.run_json(COMMAND, *args, *source) for source in ((), ("--exported",))
        )
        assert first["source"].endswith("best.keras") and "export" in second["source"]
        assert [p["input"] for p in first["predictions"]] == list(PROMPTS)
        assert first["predictions"] == second["predictions"]
    return first["predictions"][0]


def test_export_and_continue_prompts(tf_project: ProjectEnv, trained: dict) -> None:
    run_dir = trained["run_dir"]
    missing = tf_project.run(COMMAND, "predict", "hi", "--run", run_dir, "--exported", check=False)
    assert missing.returncode == 1 and "export` first" in one_line(missing.stderr)
    exported = tf_project.run_json(COMMAND, "export", "--run", run_dir)
    print(f"\nkeras/tensorflow export max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["format"] == "tf_saved_model" and exported["max_abs_diff"] < 1e-4
    greedy = tf_project.run_json(COMMAND, "predict", PROMPTS[0], "--run", run_dir,
                                 "--temperature", "0", "--max-new-tokens", "20")  # fmt: skip
    lisbon = greedy["predictions"][0]
    print(f"greedy: {lisbon['input']!r} -> {lisbon['completion']!r}")
    assert lisbon["completion"].startswith(" was ")  # every entry's sky sentence goes on so
    continue_both_ways(tf_project, run_dir)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere", "data.source 'data/nowhere' does not exist"),
        ("data.source=data/latin1", "cp1252.txt is not UTF-8 text"),
        ("model.heads=3", "model.heads = 3 must divide model.dim = 128"),
        ("data.source=$(touch pwned)", "does not exist"),
        ("model.pretrained=data/no-preset", "model.pretrained = 'data/no-preset' is not a dir"),
        ("model.pretrained=data/preset", "model.pretrained needs KerasHub: pip install -e"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(
    tf_project: ProjectEnv, setting: str, message: str
) -> None:
    (tf_project.root / "data" / "latin1").mkdir(exist_ok=True)
    (tf_project.root / "data" / "preset").mkdir(exist_ok=True)  # before the extra is installed
    latin = "caf\xe9\n\nna\xefve".encode("cp1252")
    (tf_project.root / "data" / "latin1" / "cp1252.txt").write_bytes(latin)
    runs = sorted((tf_project.root / "runs").glob("*"))
    result = tf_project.run(COMMAND, "train", "--set", setting, check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and message in line, line
    assert sorted((tf_project.root / "runs").glob("*")) == runs  # no run for a failed start
    assert not (tf_project.root / "pwned").exists()


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_export_and_continue_on_other_backends(installed: KerasTask, backend: str) -> None:
    project = installed.projects[backend]
    args = (*NOTES, "--set", "trainer.epochs=3", "--set", "trainer.tensorboard=false")
    trained = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=short")
    unigram = trained["baselines"]["unigram"]["perplexity"]
    print(f"\nkeras/{backend} notes, 3 epochs: val_perplexity {trained['val_perplexity']:.2f} "
          f"(unigram {unigram:.1f})")  # fmt: skip
    assert trained["backend"] == backend and trained["val_perplexity"] < 0.5 * unigram
    exported = project.run_json(COMMAND, "export", "--run", trained["run_dir"])
    expected = "onnx" if backend == "torch" else "tf_saved_model"
    assert exported["format"] == expected and exported["max_abs_diff"] < 1e-4
    continue_both_ways(project, trained["run_dir"])
    if backend == "jax":  # batches of 32 windows split over two CPU devices
        dp = project.run_json(COMMAND, "train", *args, "--set", "trainer.run_name=dp",
                              "--set", "distribute.strategy=data_parallel", env=TWO_CPU_DEVICES)  # fmt: skip
        assert (dp["strategy"], dp["num_devices"]) == ("data_parallel", 2)
        assert dp["val_perplexity"] < 0.5 * unigram, dp
        evaluated = project.run_json(COMMAND, "evaluate", "--run", "runs/dp")
        assert evaluated["loss"] == pytest.approx(dp["best_value"], rel=1e-5)


def test_project_tests_pass(installed: KerasTask) -> None:
    out = installed.tests.result()
    assert " passed" in out and "skipped" not in out, out[-3000:]


def test_a_preset_fine_tunes_and_exports(installed: KerasTask, tf_project: ProjectEnv) -> None:
    """The project's own preset tests (`pytest -m pretrained`, after installing the `pretrained`
    extra as its README says): a tiny GPT-2 preset fine-tuned through LoRA, exported as a
    SavedModel, continued from the export without the preset. On the TensorFlow project, whose
    venv no other module shares, and last in the module: the extra brings the full TensorFlow
    package into the venv."""
    assert "6 passed" in run_preset_tests(tf_project, after=installed.tests)
