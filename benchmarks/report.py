"""The report: a description of the machine, the Markdown tables, and the files written."""

import datetime
import os
import platform
import re
import shutil
import statistics
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from measure import LONG_SAMPLES, LONG_TARGET, REFERENCE_SUFFIX, STEADY_TARGET, Pair, Training

# -- the machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def version(*distributions: str) -> str:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def machine() -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": cores,
        "ram_gib": round(ram_gib(), 1),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "versions": {
            "scaffold": version("scaffold-dl"),
            "cookiecutter": version("cookiecutter"),
            "torch": version("torch"),
            "tensorflow": version("tensorflow-cpu", "tensorflow"),
            "keras": version("keras"),
            "jax": version("jax"),
        },
    }


def short_description(info: dict[str, Any]) -> str:
    cpu = re.sub(r"\(r\)|\(tm\)|cpu|processor|@.*", "", info["cpu"].lower())
    cpu = re.sub(r"[^a-z0-9]+", "-", cpu).strip("-")[:40] or "cpu"
    return f"{cpu}-{info['cores']}c-{round(info['ram_gib'])}gb"


# -- the report ----------------------------------------------------------------------------------


def fmt_ratio(pair: Pair) -> tuple[str, str]:
    if not pair.a or not pair.b:
        return "-", "-"
    status = "met" if pair.met else "**missed**"
    return f"{pair.ratio:.2f}x", f"<= {pair.target}x: {status}"


def median_of(rows: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if isinstance(r.get(key), int | float)]
    return statistics.median(values) if values else None


def num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def runs_per_side(results: dict[str, Any]) -> str:
    counts = []
    for section in ("generation", "training"):
        pairs = [getattr(r, "wall", r) for r in results.get(section) or []]
        if pairs:
            counts.append(f"{max(len(p.a) for p in pairs)} for {section}")
    return ", ".join(counts) or "none"


def render_machine(results: dict[str, Any]) -> list[str]:
    info = results.get("machine") or machine()
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    elapsed = results.get("elapsed_s")
    took = f" This run took {elapsed:.0f} s." if elapsed is not None else ""
    return [
        f"# scaffold benchmarks, {results.get('date') or datetime.date.today().isoformat()}",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, {info['os']}",
        f"- Python {info['python']}; {versions}",
        f"- Runs per side: {runs_per_side(results)}; interleaved A B A B; medians. Spread: "
        f"(max - min) / median of each side, a gauge of the machine's noise.{took}",
        f"- {results.get('gpu', 'GPU: not measured')}",
        "",
    ]


def render_generation(pairs: Sequence[Pair], profiles: dict[str, str]) -> list[str]:
    lines = [
        "## Generation: `scaffold` vs `cookiecutter` (seconds per process, median)",
        "",
        "| Command | scaffold | cookiecutter | ratio | target | spread |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for p in pairs:
        ratio, target = fmt_ratio(p)
        lines.append(
            f"| `{p.name}` | {p.median_a:.3f} | {p.median_b:.3f} | {ratio} | {target} | {p.spread} |"
        )
    lines += [
        "",
        "`new <fw>`: `scaffold new --no-input --framework <fw> -o <fresh dir>` vs "
        "`cookiecutter --no-input templates/<fw> -o <fresh dir>`, SCAFFOLD_ACCELERATOR=cpu.",
    ]
    if profiles:
        lines += [
            "",
            "Where scaffold's start-up goes (`python -X importtime -m scaffolder ...`):",
            "",
        ]
        lines += [f"- `{name}`: {profile}" for name, profile in profiles.items()]
    return [*lines, ""]


def steady_ratio(row: Training) -> str:
    """Generated steady-state samples/s over the reference's: `0.95x ok` or `0.80x MISSED`."""
    reference = median_of(row.reference, "steady_samples_per_s") or median_of(
        row.reference, "samples_per_s"
    )
    if not row.steady or not reference:
        return "n/a"
    ratio = row.steady / reference
    verdict = "ok" if ratio >= STEADY_TARGET else "MISSED"
    return f"{num(row.steady)} / {num(reference)} = {ratio:.2f}x {verdict}"


# The held-out score the last column shows, where a task has no accuracy.
QUALITY = {
    "recommendation": "val_recall",
    "generative": "val_reconstruction",
    "language-model": "val_perplexity",
}


def training_row(row: Training) -> str:
    if row.error or not row.wall.a:
        return f"| {row.project} | {row.task} | failed: {row.error or 'no runs'} |" + " |" * 9
    ratio, target = fmt_ratio(row.wall)
    gen_sps = num(median_of(row.generated, "samples_per_s"))
    ref_sps = num(median_of(row.reference, "samples_per_s"))
    ref_epoch = num(median_of(row.reference, "epoch_samples_per_s"))
    quality = QUALITY.get(row.task, "val_accuracy")
    gen_acc = num(median_of(row.generated, quality), 2)
    ref_acc = num(median_of(row.reference, quality), 2)
    return (
        f"| {row.project} | {row.task} | {row.wall.median_a:.1f} | {row.wall.median_b:.1f} "
        f"| {ratio} | {target} | {row.wall.spread} | {gen_sps} | {ref_epoch} / {ref_sps} "
        f"| {steady_ratio(row)} | >= {STEADY_TARGET}x | {gen_acc} / {ref_acc} |"
    )


def render_variants(rows: Sequence[Training]) -> list[str]:
    measured = [r for r in rows if r.variant is not None and r.reference]
    if not measured:
        return []
    lines = [
        "Alternative reference settings, one run each (the default references on the CPU are "
        "eager PyTorch, TensorFlow without XLA, Keras without jit_compile on TensorFlow and "
        "torch, with it on JAX):",
        "",
        "| Project | variant | wall s | first step s | steady samples/s "
        "| default reference: wall s, steady samples/s |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in measured:
        v = row.variant
        assert v is not None
        lines.append(
            f"| {row.project} ({row.task}) | {v.label} | {v.wall_s:.1f} | {num(v.result.get('warmup_s'), 1)} "
            f"| {num(v.result.get('samples_per_s'))} | {row.wall.median_b:.1f}, "
            f"{num(median_of(row.reference, 'samples_per_s'))} |"
        )
    return [*lines, ""]


CPU_NOTE = (
    "Wall: the whole `<slug> train --set trainer.epochs=1 --set trainer.runs_dir=<tmp>` "
    "process (interpreter start, imports, data, one epoch with validation, checkpoints, "
    "logs) against the whole `benchmarks/reference/*_ref.py` process (same model, data "
    "generator, split and batch; one epoch with validation; no checkpoints or logs). "
    "Generated samples/s is what each project reports: training samples over the epoch's "
    "training time, which includes the first step's tracing or compilation (warm-up); the "
    "references' `epoch` figure is measured the same way, `steady` leaves out the first step. "
    "Steady samples/s: the median second epoch of the generated project's 2-epoch runs (their "
    "metrics.csv), one run after each reference run, against the median of the references' "
    "steady states; target >= 0.9x. Other tasks' references: "
    + ", ".join(
        f"`benchmarks/reference/*_{suffix}_ref.py` for `{task}`"
        for task, suffix in REFERENCE_SUFFIX.items()
    )
    + ". The last column is val accuracy; recall@10 for recommendation; for generative, the "
    "held-out reconstruction loss per image (lower is better); for language-model, the "
    "held-out perplexity (lower is better), a sample being a window of 64 tokens."
)
LONG_NOTE = (
    f"The same two processes on one epoch of {LONG_SAMPLES:,} samples (10,000 clips for "
    f"audio, 10,000 users for recommendation), target <= {LONG_TARGET}x: start-up is a small share of the time, so the ratio is "
    "the loop's, with everything the generated project does that the reference does not "
    "(checkpoints, metrics files, progress bar, validation). Steady samples/s here is the "
    "generated long epoch's own figure (its first step included) against the reference's "
    "steady state."
)


def render_training(rows: Sequence[Training], title: str, note: str = CPU_NOTE) -> list[str]:
    notes = [f"- {r.project} ({r.task}): {note}" for r in rows for note in r.notes]
    return [
        f"## {title}",
        "",
        "| Project | Task | generated wall s | reference wall s | ratio | target | spread "
        "| generated samples/s | reference samples/s (epoch / steady) "
        "| steady samples/s (gen / ref = ratio) | steady target | val accuracy (gen / ref) |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---|---|---|",
        *(training_row(r) for r in rows),
        "",
        note,
        "",
        *notes,
        *([""] if notes else []),
        *render_variants(rows),
    ]


def render_table(results: dict[str, Any]) -> str:
    """The Markdown report of `run()`'s results (or any dict with some of its keys)."""
    lines = render_machine(results)
    if results.get("generation"):
        lines += render_generation(results["generation"], results.get("profiles", {}))
    if results.get("training"):
        lines += render_training(results["training"], "Training on the CPU: first epoch, defaults")
    if results.get("training_long"):
        title = f"Training on the CPU: one long epoch, {LONG_SAMPLES:,} samples"
        lines += render_training(results["training_long"], title, LONG_NOTE)
    if results.get("training_gpu"):
        title = "Training on the GPU: first epoch, 20,000 samples, batch 256"
        lines += render_training(results["training_gpu"], title)
    return "\n".join(lines).rstrip() + "\n"


def write_results(text: str, info: dict[str, Any], date: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date}-{short_description(info)}.md"
    path.write_text(text, encoding="utf-8")
    shutil.copyfile(path, directory / "latest.md")
    return path
