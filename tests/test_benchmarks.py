"""The benchmark suite runs and reports: a quick generation pass, its table, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_tasks_choose_what_is_baked_and_which_reference_runs(monkeypatch) -> None:
    """`--tasks tabular` must reach the bake (`--set task=tabular`) and the reference script."""
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
    args = run.parse_args(["--quick", "--only", "training", "--tasks", "tabular",
                           "--projects", "pytorch,keras-jax"])  # fmt: skip
    results = run.run(args)
    assert [(p.name, p.task) for p in seen] == [("pytorch", "tabular"), ("keras-jax", "tabular")]
    for project in seen:
        assert f"task={project.task}" in project.variables
        assert project.key.endswith("-tabular")  # baked apart from the image project
        script = project.reference[0]
        assert script.endswith("_tabular_ref.py") and (measure.REFERENCE / script).is_file()
    assert seen[1].reference[1:] == ("--backend", "jax")
    table = run.render_table(results)
    assert "| Task |" in table and "| pytorch | tabular |" in table
    assert "950 / 1,000 = 0.95x ok" in table and ">= 0.9x" in table

    seen.clear()
    training.measure_training(1, ["tensorflow"], variants=False)
    assert [p.task for p in seen] == list(measure.TASKS)
    assert seen[0].reference == ("tensorflow_ref.py",) and "task=tabular" not in seen[0].variables


def test_unknown_task_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--tasks", "nope"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "unknown tasks" in result.stderr
