"""Generate the TensorFlow project for the `language-model` task, install it as its printed steps
say, and run what a user runs: its tests, training the default Transformer on a folder of their own
notes (`text_corpus.py`) until its perplexity is far below the unigram baseline, evaluate, export
the SavedModel of next-token scores, continue prompts from the checkpoint and from the export (and
with the export alone, as the README shows), bad settings and sources, SIGINT then `--resume`, and
a two-worker MultiWorkerMirroredStrategy run."""

from __future__ import annotations

import textwrap

import pytest
import test_tensorflow_e2e as shared
from harness import ProjectEnv, ProjectTests, Recorder, one_line
from installs import SharedInstalls, task_install
from test_tensorflow_e2e import curves, rows, sets
from text_corpus import write_corpus

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]

INSTALL = task_install("tensorflow", "language-model")
INSTALLS = (INSTALL,)

COMMAND = "language-model"
TIMEOUT = 600
NOTES = ("data.source=data/notes",)
EPOCHS = 8
# About 85 steps per epoch of the synthetic stories in batches of 8: a signal a moment after
# training starts lands mid-run.
STOPPABLE = ("data.batch_size=8", "trainer.epochs=2")
PROMPTS = ("on monday the sky over lisbon", "the wind in bergen came from the", "")


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    env = shared_installs.get(*INSTALL)
    write_corpus(env.root / "data" / "notes")
    return env


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, record_learned: Recorder) -> dict:
    """The default model, eight epochs on the notes: the run later tests evaluate, export and
    continue prompts with."""
    overrides = (*NOTES, f"trainer.epochs={EPOCHS}", "trainer.run_name=notes")
    result = env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)
    return record_learned(env, "tensorflow language-model on the notes corpus", result)


def test_the_notes_are_learned_far_below_the_unigram_baseline(
    env: ProjectEnv, trained: dict
) -> None:
    unigram = trained["baselines"]["unigram"]["perplexity"]
    perplexities = [float(r["val_perplexity"]) for r in rows(env.root / trained["run_dir"])]
    print(
        f"\nnotes, {trained['num_train_tokens']} training and {trained['num_val_tokens']} "
        f"held-out tokens, vocabulary {trained['vocab_size']}, {EPOCHS} epochs: val_perplexity "
        f"{' > '.join(f'{p:.2f}' for p in perplexities)}; unigram {unigram:.1f}"
    )
    assert trained["epochs_completed"] == EPOCHS and trained["vocab_size"] <= 512
    assert perplexities[-1] < perplexities[0]
    assert trained["val_perplexity"] <= 0.25 * unigram, trained


def test_evaluate_reproduces_the_best_epoch(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "evaluate", "--run", trained["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / trained["run_dir"])[trained["best_epoch"] - 1]
    assert result["val_loss"] == pytest.approx(trained["best_val_loss"], rel=1e-5)
    for name in ("val_loss", "val_perplexity"):
        assert result[name] == pytest.approx(float(best[name]), rel=1e-5), name


def test_export_then_continue_prompts_from_the_checkpoint_and_the_export(
    env: ProjectEnv, trained: dict
) -> None:
    run = trained["run_dir"]
    missing = env.run(COMMAND, "predict", "hello", "--run", run, "--exported", check=False)
    assert missing.returncode == 1 and "has no export yet" in one_line(missing.stderr)
    exported = env.run_json(COMMAND, "export", "--run", run, timeout=TIMEOUT)
    print(f"\nexport max_abs_diff {exported['max_abs_diff']:.3g}")
    assert exported["max_abs_diff"] < 1e-4 and exported["tokenizer_matches"]
    assert exported["checked_shapes"] == [[4, 64], [1, 33]]
    for flags in (("--temperature", "0"), ("--temperature", "0.8", "--seed", "3")):
        args = ("predict", *PROMPTS, "--run", run, "--max-new-tokens", "40", *flags)
        first, second = (
            env.run_json(COMMAND, *args, *source, timeout=TIMEOUT)
            for source in ((), ("--exported",))
        )
        assert [p["input"] for p in first["predictions"]] == list(PROMPTS)
        assert first["predictions"] == second["predictions"]
    lisbon = env.run_json(COMMAND, "predict", PROMPTS[0], "--run", run, "--temperature", "0",
                          "--max-new-tokens", "20", timeout=TIMEOUT)["predictions"][0]  # fmt: skip
    print(f"greedy: {lisbon['input']!r} -> {lisbon['completion']!r}")
    # The diary's fixed shape: every entry's sky sentence goes on the same way.
    assert lisbon["completion"].startswith(" was ")


def test_the_readme_client_reads_the_export_alone(env: ProjectEnv, trained: dict) -> None:
    """The README's few lines, with nothing of the package: tokenizer.json and the SavedModel."""
    run = env.root / trained["run_dir"]
    if not (run / "export" / "saved_model").is_dir():
        env.run_json(COMMAND, "export", "--run", trained["run_dir"], timeout=TIMEOUT)
    client = env.root / "client.py"
    client.write_text(
        textwrap.dedent(f"""
        import tensorflow as tf
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file("{run}/export/tokenizer.json")
        serve = tf.saved_model.load("{run}/export/saved_model").signatures["serving_default"]
        ids = tokenizer.encode("on monday the sky over lisbon").ids
        scores = serve(token_ids=tf.constant([ids], tf.int32))["scores"]
        print(tokenizer.decode([int(tf.argmax(scores[0, -1]))]))
    """)
    )
    served = env.run("python", str(client), timeout=TIMEOUT).stdout.strip().splitlines()[-1]
    greedy = env.run_json(COMMAND, "predict", PROMPTS[0], "--run", trained["run_dir"],
                          "--temperature", "0", "--max-new-tokens", "1",
                          timeout=TIMEOUT)["predictions"][0]  # fmt: skip
    assert served == greedy["completion"].strip() and served


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("data.source=data/nowhere", "data.source 'data/nowhere' does not exist"),
        ("data.source=data/latin1", "cp1252.txt is not UTF-8 text"),
        ("data.source=data/one-line.txt", "holds 1 documents; at least 2 are needed"),
        ("data.context_length=4096", "held-out documents hold"),
        ("model.heads=3", "model.heads = 3 must divide model.dim = 128"),
        ("data.source=$(touch pwned)", "does not exist"),
    ],
)
def test_a_bad_setting_or_source_is_one_line(env: ProjectEnv, setting: str, message: str) -> None:
    (env.root / "data" / "latin1").mkdir(exist_ok=True)
    (env.root / "data" / "latin1" / "cp1252.txt").write_bytes(
        "caf\xe9\n\nna\xefve".encode("cp1252")
    )
    (env.root / "data" / "one-line.txt").write_text("a single line of text\n", encoding="utf-8")
    runs = sorted((env.root / "runs").glob("*")) if (env.root / "runs").is_dir() else []
    result = env.run(COMMAND, "train", *sets(*NOTES, "data.batch_size=1", setting), check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"{COMMAND}: ") and message in line, line
    assert sorted((env.root / "runs").glob("*")) == runs  # no run directory for a failed start
    assert not (env.root / "pwned").exists()


def test_generation_settings_out_of_range_are_refused(env: ProjectEnv, trained: dict) -> None:
    for flag, value in (("--temperature", "-1"), ("--top-k", "-2"), ("--max-new-tokens", "0")):
        result = env.run(COMMAND, "predict", "hi", flag, value, check=False)
        assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
        assert flag in result.stderr.strip().splitlines()[-1]


def test_sigint_then_resume_equals_the_unbroken_run(env: ProjectEnv) -> None:
    cut, unbroken = shared.sigint_then_resume(env, COMMAND, STOPPABLE, delay=0.5)
    assert curves(cut) == pytest.approx(curves(unbroken), rel=1e-6)


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    overrides = (*STOPPABLE, "trainer.epochs=1", "trainer.run_name=two-workers")
    agreed = ("train_loss", "val_loss", "val_perplexity")
    results = shared.two_workers(env, COMMAND, overrides, agreed)
    evaluated = env.run_json(COMMAND, "evaluate", "--run", "runs/two-workers", timeout=TIMEOUT)
    # Each worker scored half of every held-out batch; one process scores them whole.
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)
    assert evaluated["val_perplexity"] == pytest.approx(results[0]["val_perplexity"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
