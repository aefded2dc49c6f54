"""The benchmark suite runs and reports: a quick generation pass, its table, and the CLI."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import run  # noqa: E402


def test_generation_pairs_are_measured_and_rendered() -> None:
    pairs = run.measure_generation(2, warmup=False)
    names = [pair.name for pair in pairs]
    assert names[0] == "--help"
    assert {"new pytorch", "new tensorflow", "new keras"} <= set(names)
    for pair in pairs:
        assert len(pair.a) == len(pair.b) == 2
        assert all(t > 0 for t in pair.a + pair.b)
        assert pair.ratio > 0 and pair.met in (True, False)
    table = run.render_table(
        {"date": "2026-01-01", "machine": run.machine(), "gpu": "GPU: n/a", "generation": pairs,
         "elapsed_s": 1.0}
    )  # fmt: skip
    assert "| `--help` |" in table and "| `new keras` |" in table
    assert "2 cores" in table or "core" in table


def test_command_line_quick_run_writes_its_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--only", "generation", "--runs", "2",
         "--results-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scaffold" in result.stdout and "cookiecutter" in result.stdout
    written = list(tmp_path.glob("*.md"))
    assert written, "the table is written where --results-dir says"


def record_projects(monkeypatch) -> list:
    """The projects `measure_training` would measure, each answered with a made-up row."""
    import measure
    import training

    seen: list[measure.Project] = []

    def fake_measure(project, env, runs, profile, variant_until):
        seen.append(project)
        pair = measure.Pair(project.name, target=measure.TRAIN_TARGET)
        row = measure.Training(project.name, pair, task=project.task)
        row.wall.a, row.wall.b = [2.0], [1.0]
        row.generated = [{"samples_per_s": 900.0, "val_accuracy": 0.8}]
        row.reference = [{"samples_per_s": 1000.0, "steady_samples_per_s": 1000.0,
                          "epoch_samples_per_s": 500.0, "val_accuracy": 0.8}]  # fmt: skip
        row.steady = 950.0
        return row

    monkeypatch.setattr(training, "prepare", lambda project, fresh: project)
    monkeypatch.setattr(training, "measure_project", fake_measure)
    monkeypatch.setattr(run, "measure_training", training.measure_training)
    monkeypatch.setattr(run, "cuda_available", lambda: False)
    return seen


@pytest.mark.parametrize(
    ("task", "suffix"),
    [
        ("tabular", "_tabular_ref.py"),
        ("text-classification", "_text_ref.py"),
        ("audio-classification", "_audio_ref.py"),
        ("recommendation", "_recommendation_ref.py"),
        ("generative", "_generative_ref.py"),
    ],
)
def test_tasks_choose_what_is_baked_and_which_reference_runs(monkeypatch, task, suffix) -> None:
    """`--tasks <task>` must reach the bake (`--set task=<task>`) and the reference script."""
    import measure

    seen = record_projects(monkeypatch)
    args = run.parse_args(["--quick", "--only", "training", "--tasks", task,
                           "--projects", "pytorch,keras-jax"])  # fmt: skip
    results = run.run(args)
    keras_has_it = task in measure.offered_tasks("keras")
    assert [(p.name, p.task) for p in seen] == [
        ("pytorch", task), *([("keras-jax", task)] if keras_has_it else [])
    ]  # fmt: skip
    for project in seen:
        assert f"task={task}" in project.variables
        assert project.key.endswith(f"-{task}")  # baked apart from the image project
        script = project.reference[0]
        assert script.endswith(suffix) and (measure.REFERENCE / script).is_file()
    assert (measure.REFERENCE / f"keras{suffix}").is_file()  # ready for the template that lacks it
    assert seen[-1].reference[1:] == (("--backend", "jax") if keras_has_it else ())
    table = run.render_table(results)
    assert "| Task |" in table and f"| pytorch | {task} |" in table
    assert "950 / 1,000 = 0.95x ok" in table and ">= 0.9x" in table


def test_every_task_is_trained_by_default_against_its_own_reference(monkeypatch) -> None:
    import measure
    import training

    seen = record_projects(monkeypatch)
    training.measure_training(1, ["pytorch", "tensorflow"], variants=False)
    assert [p.task for p in seen if p.name == "pytorch"] == list(measure.TASKS)
    assert [p.reference[0] for p in seen if p.name == "pytorch"] == [
        "pytorch_ref.py", "pytorch_tabular_ref.py", "pytorch_text_ref.py",
        "pytorch_audio_ref.py", "pytorch_recommendation_ref.py", "pytorch_generative_ref.py",
        "pytorch_language_ref.py",
    ]  # fmt: skip
    # A task a template does not offer yet is skipped, not baked.
    offered = measure.offered_tasks("tensorflow")
    assert [p.task for p in seen if p.name == "tensorflow"] == [
        t for t in measure.TASKS if t in offered
    ]
    assert not any(v.startswith("task=") for v in seen[0].variables)  # the default task


# Keras on torch: the backend that starts fastest (no TensorFlow import, no XLA compile).
@pytest.mark.parametrize(
    "script",
    [
        (f"{framework}_{task}_ref.py", *backend)
        for task in ("text", "audio")
        for framework, backend in (
            ("pytorch", ()),
            ("tensorflow", ()),
            ("keras", ("--backend", "torch")),
        )
    ],
    ids=lambda script: script[0].removesuffix("_ref.py"),
)
def test_text_and_audio_references_train_a_few_steps(script: tuple[str, ...]) -> None:
    """A few seconds each: 160 texts or clips, 4 steps of 32 and the validation pass."""
    import measure
    import training

    command = [sys.executable, measure.REFERENCE / script[0], *script[1:], "--num-samples", "160"]
    _, stdout = measure.run_timed(
        command, env=training.reference_env(), cwd=measure.REPO, timeout=180
    )
    result = measure.last_json(stdout)
    assert result["steps"] == 4
    assert result["samples_per_s"] > 0 and result["epoch_samples_per_s"] > 0
    assert 0.0 <= result["val_accuracy"] <= 1.0


@pytest.mark.parametrize(
    "script",
    [
        ("pytorch_recommendation_ref.py",),
        ("tensorflow_recommendation_ref.py",),
        ("keras_recommendation_ref.py", "--backend", "torch"),
    ],
    ids=lambda script: script[0].removesuffix("_ref.py"),
)
def test_recommendation_references_train_a_few_steps(script: tuple[str, ...]) -> None:
    """100 users (about 1,200 training pairs): 9 steps of 128, then the ranking of every
    held-out user against the 500 items."""
    import measure
    import training

    command = [sys.executable, measure.REFERENCE / script[0], *script[1:], "--num-samples", "100"]
    _, stdout = measure.run_timed(
        command, env=training.reference_env(), cwd=measure.REPO, timeout=180
    )
    result = measure.last_json(stdout)
    assert result["steps"] == 9 and result["samples_per_s"] > 0
    assert 0.0 <= result["val_recall"] <= 1.0 and 0.0 <= result["val_ndcg"] <= 1.0


@pytest.mark.parametrize(
    "script",
    [
        ("pytorch_generative_ref.py",),
        ("tensorflow_generative_ref.py",),
        ("keras_generative_ref.py", "--backend", "torch"),
    ],
    ids=lambda script: script[0].removesuffix("_ref.py"),
)
def test_generative_references_train_a_few_steps(script: tuple[str, ...]) -> None:
    """200 pictures (180 to train on): two or three steps of 64, then the held-out loss, beside
    the mean-image baseline the projects print."""
    import measure
    import training

    command = [sys.executable, measure.REFERENCE / script[0], *script[1:], "--num-samples", "200"]
    _, stdout = measure.run_timed(
        command, env=training.reference_env(), cwd=measure.REPO, timeout=180
    )
    result = measure.last_json(stdout)
    assert result["steps"] in (2, 3) and result["samples_per_s"] > 0
    assert result["baseline_reconstruction"] > 0
    held_out = result.get("val_reconstruction", result.get("val_loss"))
    assert held_out is not None and 0 < held_out < 20 * result["baseline_reconstruction"]


def test_the_long_epoch_is_its_own_section_with_its_own_target(monkeypatch) -> None:
    """`--long-only`: every project trains one epoch of LONG_SAMPLES on both sides, judged
    against 1.1x, its steady figure the long epoch's own (no extra 2-epoch run)."""
    from types import SimpleNamespace

    import measure
    import training

    profiles, steady_runs = [], []
    env = SimpleNamespace(root=Path("p/model"), bin=Path("p/bin"), env=dict)
    monkeypatch.setattr(training, "prepare", lambda project, fresh: env)
    monkeypatch.setattr(training, "steady_samples_per_s", lambda *a: steady_runs.append(a))

    def timed(command, **kwargs):
        profiles.append([str(c) for c in command])
        return 2.0 if "train" in profiles[-1] else 1.9, '{"samples_per_s": 990.0}'

    monkeypatch.setattr(training, "run_timed", timed)
    monkeypatch.setattr(training, "interleave", lambda a, b, runs, pair, then: (
        pair.a.append(a()), pair.b.append(b()), then and then()))  # fmt: skip
    monkeypatch.setattr(run, "measure_training", training.measure_training)
    monkeypatch.setattr(run, "cuda_available", lambda: False)
    args = run.parse_args(["--quick", "--only", "training", "--long-only", "--projects",
                           "pytorch", "--tasks", "tabular,audio-classification,recommendation"])  # fmt: skip
    results = run.run(args)
    assert "training" not in results and not steady_runs
    tabular, *_ = results["training_long"]
    assert tabular.wall.target == measure.LONG_TARGET == 1.1 and tabular.steady == 990.0
    generated, reference = profiles[:2]
    assert f"data.num_samples={measure.LONG_SAMPLES}" in generated
    assert reference[-2:] == ["--num-samples", str(measure.LONG_SAMPLES)]
    assert "data.num_samples=10000" in profiles[2] and profiles[3][-1] == "10000"
    # Recommendation counts users, 10,000 of them, on both sides.
    assert "data.num_users=10000" in profiles[4] and profiles[5][-1] == "10000"
    assert not any(p.startswith("data.num_samples=") for p in profiles[4])
    table = run.render_table(results)
    assert "one long epoch, 30,000 samples" in table and "<= 1.1x: met" in table


def test_unknown_task_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--tasks", "nope"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "unknown tasks" in result.stderr


@pytest.mark.parametrize(
    "script",
    [
        ("pytorch_language_ref.py",),
        ("keras_language_ref.py", "--backend", "torch"),
        ("tensorflow_language_ref.py",),
    ],
    ids=lambda script: script[0].removesuffix("_ref.py"),
)
def test_language_references_train_a_few_steps(script: tuple[str, ...]) -> None:
    """300 stories: about 100 training windows of 64 tokens, a few steps of 32, then the held-out
    loss beside the unigram baseline the projects print."""
    import measure
    import training

    command = [sys.executable, measure.REFERENCE / script[0], *script[1:], "--num-samples", "300"]
    _, stdout = measure.run_timed(
        command, env=training.reference_env(), cwd=measure.REPO, timeout=180
    )
    result = measure.last_json(stdout)
    assert result["steps"] >= 2 and result["samples_per_s"] > 0
    assert 1 < result["baseline_perplexity"] < 512
    assert result["val_perplexity"] == pytest.approx(math.exp(result["val_loss"]), rel=1e-3)


def test_the_steady_state_is_a_median_of_runs_between_the_reference_runs(monkeypatch) -> None:
    """The default profile: a 2-epoch run of the generated project after each reference run
    (A B C A B C), and the steady figure is the median of their second epochs."""
    from types import SimpleNamespace

    import measure
    import training

    order: list[str] = []
    env = SimpleNamespace(root=Path("p/model"), bin=Path("p/bin"), env=dict)
    monkeypatch.setattr(training, "prepare", lambda project, fresh: env)
    seconds = iter([900.0, 1000.0, 400.0])

    def steady(env, profile):
        order.append("C")
        return next(seconds)

    def timed(command, **kwargs):
        order.append("A" if "train" in [str(c) for c in command] else "B")
        return 1.0, '{"samples_per_s": 500.0}'

    monkeypatch.setattr(training, "steady_samples_per_s", steady)
    monkeypatch.setattr(training, "run_timed", timed)
    project = measure.PROJECTS["pytorch"]
    row = training.measure_project(project, env, 3, measure.CPU_PROFILE, None)
    assert order == list("ABCABCABC")
    assert row.steady == 900.0
