"""Benchmark suite: is `scaffold` as fast as Cookiecutter, and do generated projects train fast?

    python benchmarks/run.py                 # full run (< 10 min on 2 CPU cores), writes results/
    python benchmarks/run.py --quick         # smoke test: fewer runs, nothing written
    python benchmarks/run.py --only generation --runs 20
    python benchmarks/run.py --only training --fresh   # re-bake and re-install the projects

Every comparison runs its two sides interleaved (A B A B ...) so that load from other processes
hits both alike, and reports medians and their ratio. Run it with the repository's virtual
environment (the one with the frameworks, cookiecutter and scaffold installed).

Importable: `measure_generation(runs)`, `measure_training(runs, projects)`, `render_table(results)`.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TEMPLATES = REPO / "templates"
REFERENCE = BENCH / "reference"
RESULTS = BENCH / "results"
WORK = BENCH / ".work"  # baked and installed projects, kept between runs (git-ignored)
BIN = Path(sys.executable).parent  # console scripts of the environment running this file
TRAIN_TIMEOUT_S = 600

HELP_TARGET = 0.5  # scaffold --help at most half of cookiecutter --help
NEW_TARGET = 1.1  # scaffold new at most 10 % slower than plain cookiecutter
TRAIN_TARGET = 1.3  # a generated project's first epoch within 1.3x of the hand-written reference


# -- measurements --------------------------------------------------------------------------------


@dataclass
class Pair:
    """Two commands timed side by side; `ratio` is median(a) / median(b)."""

    name: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    target: float | None = None
    note: str = ""

    @property
    def median_a(self) -> float:
        return statistics.median(self.a)

    @property
    def median_b(self) -> float:
        return statistics.median(self.b)

    @property
    def ratio(self) -> float:
        return self.median_a / self.median_b

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target


@dataclass
class Variant:
    """A reference setting measured once next to the default one (e.g. torch.compile)."""

    label: str
    wall_s: float
    result: dict[str, Any]


@dataclass
class Training:
    project: str
    wall: Pair  # a: generated project, b: reference, whole process seconds
    generated: list[dict[str, Any]] = field(default_factory=list)
    reference: list[dict[str, Any]] = field(default_factory=list)
    variant: Variant | None = None
    error: str = ""


@dataclass(frozen=True)
class Project:
    """A template configuration to bake, and the reference script it is compared with."""

    name: str
    framework: str
    reference: tuple[str, ...]
    variables: tuple[str, ...] = ()
    variant: tuple[str, ...] = ()  # reference arguments of the alternative setting, if any
    variant_label: str = ""


PROJECTS = {
    p.name: p
    for p in (
        Project("pytorch", "pytorch", ("pytorch_ref.py",), (), ("--compile",), "torch.compile"),
        Project("tensorflow", "tensorflow", ("tensorflow_ref.py",), (), ("--xla",), "XLA"),
        Project(
            "keras-tensorflow",
            "keras",
            ("keras_ref.py", "--backend", "tensorflow"),
            ("backend=tensorflow",),
            ("--jit-compile", "true"),
            "jit_compile=True (XLA)",
        ),
        Project("keras-jax", "keras", ("keras_ref.py", "--backend", "jax"), ("backend=jax",)),
        # jit_compile=True on the torch backend is torch.compile: over 2 minutes on 2 CPU cores
        # for a 10 s epoch, so it is not a variant worth re-measuring on every run.
        Project("keras-torch", "keras", ("keras_ref.py", "--backend", "torch"), ("backend=torch",)),
    )
}


@dataclass(frozen=True)
class Profile:
    """Training workload: the templates' defaults on the CPU, a larger one on a GPU."""

    name: str
    overrides: tuple[str, ...] = ()
    reference_args: tuple[str, ...] = ()


CPU_PROFILE = Profile("cpu")
# On a GPU the default 2,000-sample epoch is over before the device is warm: train on 10x the
# data in batches of 256 so that the table measures the training step, not the start-up.
GPU_PROFILE = Profile(
    "gpu",
    ("data.num_samples=20000", "data.batch_size=256"),
    ("--num-samples", "20000", "--batch-size", "256"),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_timed(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> tuple[float, str]:
    """Seconds from process start to exit, and its stdout; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(
            f"{Path(str(command[0])).name} exited {proc.returncode}: {' | '.join(tail)}"
        )
    return seconds, proc.stdout


def last_json(stdout: str) -> dict[str, Any]:
    """The JSON object a project command or reference prints as the last thing on stdout."""
    text = stdout.strip()
    return json.loads(text[text.rindex("\n{") + 1 :] if "\n{" in text else text)


def interleave(
    a: Callable[[], float], b: Callable[[], float], runs: int, pair: Pair, warmup: bool = False
) -> Pair:
    """A B A B ...: slow drifts in machine load then hit both sides equally."""
    if warmup:  # fills the OS file cache and .pyc files; not counted
        a(), b()
    for _ in range(runs):
        pair.a.append(a())
        pair.b.append(b())
    return pair


# -- generation ----------------------------------------------------------------------------------


def generation_env() -> dict[str, str]:
    return {**os.environ, "SCAFFOLD_ACCELERATOR": "cpu"}  # no GPU probing: same answer everywhere


def timed_into_fresh_dir(command: Callable[[Path], list[str | Path]]) -> Callable[[], float]:
    """A measurement that renders into a new empty directory, deleted afterwards (not timed)."""

    def measure() -> float:
        out = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
        try:
            return run_timed(command(out), env=generation_env())[0]
        finally:
            shutil.rmtree(out, ignore_errors=True)

    return measure


def generation_cases() -> list[tuple[str, Callable[[Path], list], Callable[[Path], list], float]]:
    scaffold, cookiecutter = BIN / "scaffold", BIN / "cookiecutter"
    cases: list[tuple[str, Callable[[Path], list], Callable[[Path], list], float]] = [
        ("--help", lambda _: [scaffold, "--help"], lambda _: [cookiecutter, "--help"], HELP_TARGET)
    ]
    for fw in ("pytorch", "tensorflow", "keras"):
        cases.append(
            (
                f"new {fw}",
                lambda out, fw=fw: [scaffold, "new", "--no-input", "--framework", fw, "-o", out],
                lambda out, fw=fw: [cookiecutter, "--no-input", TEMPLATES / fw, "-o", out],
                NEW_TARGET,
            )
        )
    return cases


def measure_generation(runs: int, warmup: bool = True) -> list[Pair]:
    """`scaffold` against `cookiecutter` on --help and on rendering each template."""
    pairs = []
    for name, scaffold_cmd, cookiecutter_cmd, target in generation_cases():
        log(f"generation: {name} ({runs} runs each, interleaved)")
        pair = Pair(name, target=target)
        interleave(
            timed_into_fresh_dir(scaffold_cmd),
            timed_into_fresh_dir(cookiecutter_cmd),
            runs,
            pair,
            warmup,
        )
        pairs.append(pair)
    return pairs


def import_profile(command: Callable[[Path], list], top: int = 6) -> str:
    """The slowest top-level imports of a scaffold command, run as `python -X importtime -m
    scaffolder ARGS` (cumulative milliseconds; `site` and the codecs left out)."""
    out = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
    try:
        args = [str(a) for a in command(out)[1:]]
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "scaffolder", *args],
            env=generation_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if match and match.group(2) not in ("site", "encodings", "_frozen_importlib_external"):
            rows.append((int(match.group(1)), match.group(2)))
    rows.sort(reverse=True)
    return ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in rows[:top])


def profile_generation() -> dict[str, str]:
    """Where scaffold's start-up time goes in each case (read it where a target is missed)."""
    return {name: import_profile(scaffold_cmd) for name, scaffold_cmd, _, _ in generation_cases()}


# -- training ------------------------------------------------------------------------------------


def template_hash(framework: str) -> str:
    """Fingerprint of everything a bake depends on: the template (with _shared) and scaffolder/."""
    digest = hashlib.sha256()
    for root in (TEMPLATES / framework, TEMPLATES / "_shared", REPO / "scaffolder"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def load_harness() -> Any:
    """tests/templates/harness.py: the same bake-free install the template tests use."""
    sys.path.insert(0, str(REPO / "tests" / "templates"))
    import harness

    return harness


def prepare(project: Project, fresh: bool) -> Any:
    """Bake the template with `scaffold new` and install it into its own venv, cached by hash."""
    harness = load_harness()
    home = WORK / project.name
    stamp = home / "stamp"
    fingerprint = template_hash(project.framework)
    if not fresh and stamp.is_file() and stamp.read_text() == fingerprint:
        root = next((home / "project").iterdir())
        return harness.ProjectEnv(root=root, venv=home / "venv")
    log(f"training: baking and installing {project.name} into {home}")
    shutil.rmtree(home, ignore_errors=True)
    command: list[str | Path] = [BIN / "scaffold", "new", "--no-input"]
    command += ["--framework", project.framework, "-o", home / "project"]
    for variable in project.variables:
        command += ["--set", variable]
    run_timed(command, env=generation_env())
    root = next((home / "project").iterdir())
    env = harness.install(root, home / "venv", extras=())
    stamp.write_text(fingerprint)
    return env


def generated_command(env: Any, out: Path, profile: Profile) -> list[str | Path]:
    slug = env.root.name  # the console script is named after the project slug
    overrides = ["trainer.epochs=1", f"trainer.output_dir={out}", *profile.overrides]
    return [env.bin / slug, "train", *(a for o in overrides for a in ("--set", o))]


def reference_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def reference_command(project: Project, profile: Profile, extra: Sequence[str] = ()) -> list:
    script, *args = project.reference
    return [sys.executable, REFERENCE / script, *args, *profile.reference_args, *extra]


def measure_project(
    project: Project, env: Any, runs: int, profile: Profile, variant: bool
) -> Training:
    row = Training(project.name, Pair(project.name, target=TRAIN_TARGET))

    def generated() -> float:
        with tempfile.TemporaryDirectory(prefix="scaffold-bench-run-") as out:
            command = generated_command(env, Path(out), profile)
            seconds, stdout = run_timed(
                command, env=env.env(), cwd=env.root, timeout=TRAIN_TIMEOUT_S
            )
        row.generated.append(last_json(stdout))
        return seconds

    def reference(extra: Sequence[str] = ()) -> tuple[float, dict[str, Any]]:
        command = reference_command(project, profile, extra)
        seconds, stdout = run_timed(command, env=reference_env(), cwd=REPO, timeout=TRAIN_TIMEOUT_S)
        return seconds, last_json(stdout)

    def default_reference() -> float:
        seconds, result = reference()
        row.reference.append(result)
        return seconds

    interleave(generated, default_reference, runs, row.wall)
    if variant and project.variant:
        seconds, result = reference(project.variant)
        row.variant = Variant(project.variant_label, seconds, result)
    return row


def measure_training(
    runs: int,
    projects: Sequence[str] = tuple(PROJECTS),
    *,
    fresh: bool = False,
    variants: bool = True,
    profile: Profile = CPU_PROFILE,
) -> list[Training]:
    """Each generated project's first epoch against its reference, process start to exit."""
    rows = []
    for name in projects:
        project = PROJECTS[name]
        log(f"training ({profile.name}): {name} ({runs} runs each, interleaved)")
        try:
            env = prepare(project, fresh)
            rows.append(measure_project(project, env, runs, profile, variants))
        except (
            RuntimeError,
            AssertionError,
            OSError,
            ValueError,
            subprocess.TimeoutExpired,
        ) as exc:
            log(f"  {name} failed: {exc}")
            rows.append(Training(name, Pair(name, target=TRAIN_TARGET), error=str(exc)[:300]))
    return rows


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


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


def render_machine(results: dict[str, Any]) -> list[str]:
    info = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    runs = ", ".join(
        f"{results[key]} for {section}"
        for key, section in (("runs", "generation"), ("training_runs", "training"))
        if results.get(section)
    )
    return [
        f"# scaffold benchmarks, {results['date']}",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, {info['os']}",
        f"- Python {info['python']}; {versions}",
        f"- Runs per side: {runs}; interleaved A B A B, medians. "
        f"Total time of this run {results['elapsed_s']:.0f} s.",
        f"- {results['gpu']}",
        "",
    ]


def render_generation(pairs: Sequence[Pair], profiles: dict[str, str]) -> list[str]:
    lines = [
        "## Generation: `scaffold` vs `cookiecutter` (seconds per process, median)",
        "",
        "| Command | scaffold | cookiecutter | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for pair in pairs:
        ratio, target = fmt_ratio(pair)
        lines.append(
            f"| `{pair.name}` | {pair.median_a:.3f} | {pair.median_b:.3f} | {ratio} | {target} |"
        )
    lines += [
        "",
        "`new <fw>`: `scaffold new --no-input --framework <fw> -o <fresh dir>` vs "
        "`cookiecutter --no-input templates/<fw> -o <fresh dir>`, SCAFFOLD_ACCELERATOR=cpu.",
    ]
    if profiles:
        lines += [
            "",
            "Slowest top-level imports of scaffold (`python -X importtime`, cumulative):",
            "",
        ]
        lines += [f"- `{name}`: {profile}" for name, profile in profiles.items()]
    return [*lines, ""]


def training_row(row: Training) -> str:
    if row.error or not row.wall.a:
        return f"| {row.project} | failed: {row.error or 'no runs'} | | | | | | |"
    ratio, target = fmt_ratio(row.wall)
    gen_sps = num(median_of(row.generated, "samples_per_s"))
    ref_sps = num(median_of(row.reference, "samples_per_s"))
    ref_epoch = num(median_of(row.reference, "epoch_samples_per_s"))
    accuracy = f"{num(median_of(row.generated, 'val_accuracy'), 2)} / {num(median_of(row.reference, 'val_accuracy'), 2)}"
    return (
        f"| {row.project} | {row.wall.median_a:.1f} | {row.wall.median_b:.1f} | {ratio} | {target} "
        f"| {gen_sps} | {ref_epoch} / {ref_sps} | {accuracy} |"
    )


def render_variants(rows: Sequence[Training]) -> list[str]:
    measured = [r for r in rows if r.variant is not None and r.reference]
    if not measured:
        return []
    lines = [
        "Reference settings measured once next to the default reference (which is eager "
        "PyTorch, TensorFlow without XLA, Keras-TF without jit_compile on the CPU):",
        "",
        "| Project | variant | wall s | warm-up s | steady samples/s | default reference: wall s, steady samples/s |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in measured:
        assert row.variant is not None
        v = row.variant
        lines.append(
            f"| {row.project} | {v.label} | {v.wall_s:.1f} | {num(v.result.get('warmup_s'), 1)} "
            f"| {num(v.result.get('samples_per_s'))} | {row.wall.median_b:.1f}, "
            f"{num(median_of(row.reference, 'samples_per_s'))} |"
        )
    return [*lines, ""]


def render_training(rows: Sequence[Training], title: str) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| Project | generated wall s | reference wall s | ratio | target | generated samples/s "
        "| reference samples/s (epoch / steady) | val accuracy (gen / ref) |",
        "|---|---:|---:|---:|---|---:|---:|---|",
        *(training_row(r) for r in rows),
        "",
        "Wall: the whole `<slug> train --set trainer.epochs=1 --set trainer.output_dir=<tmp>` "
        "process (interpreter start, imports, data, one epoch with validation, checkpoints, "
        "logs) against the whole `benchmarks/reference/*_ref.py` process (same model, data "
        "generator, split and batch; one epoch with validation; no checkpoints or logs). "
        "Generated samples/s is what the project reports: training samples over the epoch's "
        "training time, so it includes the first step's tracing/compilation; the reference's "
        "`epoch` figure is measured the same way, `steady` leaves out the first step.",
        "",
        *render_variants(rows),
    ]
    return lines


def render_table(results: dict[str, Any]) -> str:
    """The Markdown report: machine, generation table, training table(s), GPU line."""
    lines = render_machine(results)
    if results.get("generation"):
        lines += render_generation(results["generation"], results.get("profiles", {}))
    if results.get("training"):
        lines += render_training(results["training"], "Training on the CPU: first epoch, defaults")
    if results.get("training_gpu"):
        title = "Training on the GPU: 20,000 samples, batch 256"
        lines += render_training(results["training_gpu"], title)
    return "\n".join(lines).rstrip() + "\n"


def write_results(text: str, info: dict[str, Any], date: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date}-{short_description(info)}.md"
    path.write_text(text, encoding="utf-8")
    shutil.copyfile(path, directory / "latest.md")
    return path


# -- command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs, no variants, no files")
    parser.add_argument("--only", choices=("generation", "training"), help="run one section")
    parser.add_argument(
        "--runs", type=int, help="runs per side (default 10 generation, 3 training)"
    )
    parser.add_argument("--projects", default=",".join(PROJECTS), help="comma-separated subset")
    parser.add_argument("--fresh", action="store_true", help="re-bake and re-install projects")
    parser.add_argument(
        "--results-dir", type=Path, help=f"write the report here (default {RESULTS}; --quick: none)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.projects.split(",")) - set(PROJECTS)
    if unknown:
        parser.error(f"unknown projects {sorted(unknown)}; choose from {', '.join(PROJECTS)}")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    gen_runs = args.runs or (3 if args.quick else 10)
    train_runs = args.runs or (1 if args.quick else 3)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "runs": gen_runs,
        "training_runs": train_runs,
        "gpu": "GPU: not measured (--only generation)",
    }
    if args.only != "training":
        results["generation"] = measure_generation(gen_runs, warmup=not args.quick)
        if not args.quick:
            results["profiles"] = profile_generation()
    if args.only != "generation":
        projects = args.projects.split(",")
        variants = not args.quick
        results["training"] = measure_training(
            train_runs, projects, fresh=args.fresh, variants=variants
        )
        # The GPU table reuses everything above with a larger workload; only on a CUDA machine.
        if cuda_available():
            results["gpu"] = "GPU: CUDA available, see the GPU table"
            results["training_gpu"] = measure_training(
                train_runs, projects, variants=False, profile=GPU_PROFILE
            )
        else:
            results["gpu"] = "GPU: not available (torch.cuda.is_available() is False)"
    results["elapsed_s"] = time.perf_counter() - start
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    text = render_table(results)
    print(text)
    directory = args.results_dir or (None if args.quick else RESULTS)
    if directory is not None:
        path = write_results(text, results["machine"], results["date"], directory)
        print(f"written: {path} and {directory / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
