"""Training section: each generated project's first epoch against its hand-written reference."""

import csv
import hashlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generation import imported_via, parse_importtime, slowest_imports
from measure import (
    CPU_PROFILE,
    PROJECTS,
    REFERENCE,
    REPO,
    TASKS,
    TEMPLATES,
    TRAIN_TIMEOUT_S,
    WORK,
    Pair,
    Profile,
    Project,
    Training,
    Variant,
    for_task,
    interleave,
    last_json,
    log,
    offered_tasks,
    run_timed,
)

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


def load_installs() -> Any:
    """tests/templates/installs.py: the same install from the printed steps the template tests
    use."""
    path = str(REPO / "tests" / "templates")
    if path not in sys.path:
        sys.path.insert(0, path)
    import installs

    return installs


def prepare(project: Project, fresh: bool) -> Any:
    """Bake the template with `scaffold new` and install it into its own venv, cached by hash."""
    installs = load_installs()
    home = WORK / project.key
    stamp = home / "stamp"
    fingerprint = template_hash(project.framework)
    if not fresh and stamp.is_file() and stamp.read_text() == fingerprint:
        root = next((home / "project").iterdir())
        return installs.ProjectEnv(root=root, venv=root / ".venv")
    log(f"training: generating {project.name} and installing it from its printed steps into {home}")
    shutil.rmtree(home, ignore_errors=True)
    args = ["--framework", project.framework]
    for variable in project.variables:
        args += ["--set", variable]
    env = installs.install_generated(home / "project", *args)
    stamp.write_text(fingerprint)
    return env


def generated_command(env: Any, out: Path, profile: Profile, epochs: int = 1) -> list[str | Path]:
    slug = env.root.name  # the console script is named after the project slug
    overrides = [f"trainer.epochs={epochs}", f"trainer.runs_dir={out}", *profile.overrides]
    return [env.bin / slug, "train", *(a for o in overrides for a in ("--set", o))]


def reference_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def reference_command(project: Project, profile: Profile, extra: Sequence[str] = ()) -> list:
    script, *args = project.reference
    return [sys.executable, REFERENCE / script, *args, *profile.reference_args, *extra]


# Frameworks a project of each kind has no use for; importing one anyway costs seconds.
FOREIGN = {
    "pytorch": ("tensorflow", "jax"),
    "tensorflow": ("torch", "jax"),
    "keras-tensorflow": ("torch", "jax"),
    "keras-jax": ("tensorflow", "torch"),
    "keras-torch": ("tensorflow", "jax"),
}


def training_import_profile(project: Project, env: Any, profile: Profile) -> str:
    """Where a generated project's start-up goes: one more run under `python -X importtime`."""
    package = env.root.name.replace("-", "_")
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-run-") as out:
        args = generated_command(env, Path(out), profile)[1:]
        proc = subprocess.run(
            [env.bin / "python", "-X", "importtime", "-m", package, *map(str, args)],
            env=env.env(),
            cwd=env.root,
            capture_output=True,
            text=True,
            timeout=TRAIN_TIMEOUT_S,
        )
    lines = parse_importtime(proc.stderr)
    foreign = [f for f in (imported_via(lines, m) for m in FOREIGN[project.name]) if f]
    found = f"imports {'; '.join(foreign)}. " if foreign else ""
    return f"missed: {found}Slowest top-level imports: {slowest_imports(lines, 5)}"


def steady_samples_per_s(env: Any, profile: Profile) -> float | None:
    """The generated project's steady state: one more run of 2 epochs, the second epoch's
    samples/s (its tracing and compiling are over), from the run's metrics.csv."""
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-run-") as out:
        command = generated_command(env, Path(out), profile, epochs=2)
        _, stdout = run_timed(command, env=env.env(), cwd=env.root, timeout=TRAIN_TIMEOUT_S)
        for path in sorted(Path(out).rglob("metrics.csv")):
            with path.open(newline="") as file:
                rows = [r for r in csv.DictReader(file) if r.get("samples_per_s")]
            if rows:
                return float(rows[-1]["samples_per_s"])
    value = last_json(stdout).get("samples_per_s")
    return float(value) if value is not None else None


def measure_variant(project: Project, profile: Profile) -> Variant:
    """The alternative reference setting, once. A fresh TorchInductor cache makes torch.compile
    pay its full compile time, as a user's first run does (later runs reuse the cache)."""
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-inductor-") as cache:
        env = {**reference_env(), "TORCHINDUCTOR_CACHE_DIR": cache}
        command = reference_command(project, profile, project.variant)
        seconds, stdout = run_timed(command, env=env, cwd=REPO, timeout=TRAIN_TIMEOUT_S)
    return Variant(project.variant_label, seconds, last_json(stdout))


def measure_project(
    project: Project, env: Any, runs: int, profile: Profile, variant_until: float | None
) -> Training:
    """Generated vs reference, interleaved; then the reference's variant once, if there is time
    (`variant_until`, a perf_counter deadline; None: no variants)."""
    profile = profile.for_task(project.task)
    row = Training(project.name, Pair(project.name, target=profile.target), task=project.task)

    def generated() -> float:
        with tempfile.TemporaryDirectory(prefix="scaffold-bench-run-") as out:
            command = generated_command(env, Path(out), profile)
            seconds, stdout = run_timed(
                command, env=env.env(), cwd=env.root, timeout=TRAIN_TIMEOUT_S
            )
        row.generated.append(last_json(stdout))
        return seconds

    def reference() -> float:
        command = reference_command(project, profile)
        seconds, stdout = run_timed(command, env=reference_env(), cwd=REPO, timeout=TRAIN_TIMEOUT_S)
        row.reference.append(last_json(stdout))
        return seconds

    steady: list[float] = []

    def generated_steady() -> None:
        value = steady_samples_per_s(env, profile)
        if value is not None:
            steady.append(value)

    # The 2-epoch runs go between the others, so that the steady ratio, like the wall one, is
    # of medians taken under the same load.
    interleave(generated, reference, runs, row.wall,
               then=generated_steady if profile.steady_run else None)  # fmt: skip
    if not profile.steady_run:
        steady = [r["samples_per_s"] for r in row.generated if r.get("samples_per_s")]
    row.steady = statistics.median(steady) if steady else None
    if row.wall.met is False and variant_until is not None:
        row.notes.append(training_import_profile(project, env, profile))
    if project.variant and variant_until is not None:
        if time.perf_counter() < variant_until:
            row.variant = measure_variant(project, profile)
        else:
            row.notes.append(f"{project.variant_label} not measured: out of time budget")
    return row


def measure_training(
    runs: int,
    projects: Sequence[str] = tuple(PROJECTS),
    *,
    tasks: Sequence[str] = TASKS,
    fresh: bool = False,
    variants: bool = True,
    variant_until: float = math.inf,
    profile: Profile = CPU_PROFILE,
) -> list[Training]:
    """Each generated project's first epoch against its reference, process start to exit.

    `tasks`: the template tasks to bake each project for (`--set task=...`), task by task.
    `variants`: also time each reference's alternative setting once (torch.compile, XLA), as
    long as `time.perf_counter()` is before `variant_until`."""
    rows = []
    for task, name in ((t, n) for t in tasks for n in projects):
        if task not in offered_tasks(PROJECTS[name].framework):
            log(f"training ({profile.name}): {name} has no {task} starter; skipped")
            continue
        project = for_task(PROJECTS[name], task)
        log(f"training ({profile.name}): {name}, {task} ({runs} runs each, interleaved)")
        try:
            env = prepare(project, fresh)
            deadline = variant_until if variants else None
            rows.append(measure_project(project, env, runs, profile, deadline))
        except (
            RuntimeError,
            AssertionError,
            OSError,
            ValueError,
            subprocess.TimeoutExpired,
        ) as exc:
            log(f"  {name} failed: {exc}")
            failed = Pair(name, target=profile.target)
            rows.append(Training(name, failed, error=str(exc)[:300], task=task))
    return rows


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()
