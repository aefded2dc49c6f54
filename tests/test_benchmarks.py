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
