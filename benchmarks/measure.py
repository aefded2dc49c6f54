"""What the benchmark sections share: paths, targets, result types, and timing a process.

`Pair` is two commands timed side by side; `Training` a generated project against its reference;
`PROJECTS` the template configurations the training section bakes. `run_timed` times one process,
`interleave` runs two measurements A B A B ...
"""

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
# Alternative reference settings (torch.compile, XLA) are timed only while the whole run is
# younger than this, so that they do not stretch a full run on a slow, busy machine.
VARIANT_BUDGET_S = 420

HELP_TARGET = 0.5  # scaffold --help at most half of cookiecutter --help
NEW_TARGET = 1.1  # scaffold new at most 10 % slower than plain cookiecutter
TRAIN_TARGET = 1.3  # a generated project's first epoch within 1.3x of the hand-written reference
LONG_TARGET = 1.1  # and a long epoch, where start-up no longer hides the loop, within 1.1x
STEADY_TARGET = 0.9  # its steady-state samples/s at least 0.9x the reference's
# The tasks the training section bakes each project for (`--set task=...`); the first is the
# template's default task, the one the `<fw>_ref.py` references train. Every other task names
# its references `<fw>_<suffix>_ref.py`, the suffix a short name for the task.
REFERENCE_SUFFIX = {
    "tabular": "tabular",
    "text-classification": "text",
    "audio-classification": "audio",
    "recommendation": "recommendation",
    "generative": "generative",
    "language-model": "language",
}
# The `[data]` key a profile's sample count sets, where it is not `num_samples` (the references'
# `--num-samples` counts the same thing).
SIZE_KEY = {"recommendation": "num_users", "language-model": "num_documents"}
TASKS = ("image-classification", *REFERENCE_SUFFIX)


def offered_tasks(framework: str) -> tuple[str, ...]:
    """The tasks a template offers: the `task` choices of its cookiecutter.json."""
    context = json.loads((TEMPLATES / framework / "cookiecutter.json").read_text())
    return tuple(context.get("task", ("image-classification",)))


# -- measurements --------------------------------------------------------------------------------


@dataclass
class Pair:
    """Two commands timed side by side; `ratio` is median(a) / median(b)."""

    name: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    target: float | None = None

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
    def spread(self) -> str:
        """(max - min) / median of each side, in percent: how noisy the machine was."""
        return " / ".join(
            f"{(max(x) - min(x)) / statistics.median(x):.0%}" for x in (self.a, self.b)
        )

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
    notes: list[str] = field(default_factory=list)
    task: str = TASKS[0]
    steady: float | None = None  # the median of the generated project's second-epoch samples/s


@dataclass(frozen=True)
class Project:
    """A template configuration to bake, and the reference script it is compared with."""

    name: str
    framework: str
    reference: tuple[str, ...]
    variables: tuple[str, ...] = ()
    variant: tuple[str, ...] = ()  # reference arguments of the alternative setting, if any
    variant_label: str = ""
    task: str = TASKS[0]

    @property
    def key(self) -> str:
        """Where it is baked under WORK: the name alone for the default task (as before)."""
        return self.name if self.task == TASKS[0] else f"{self.name}-{self.task}"


def for_task(project: Project, task: str) -> Project:
    """The project baked for `task` with `--set task=...`, against `<fw>_<suffix>_ref.py`."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    if task == TASKS[0]:
        return project
    script, *args = project.reference
    reference = (script.replace("_ref.py", f"_{REFERENCE_SUFFIX[task]}_ref.py"), *args)
    # These references keep XLA and jit_compile as variants; torch.compile is not offered.
    variant = () if project.variant == ("--compile",) else project.variant
    return Project(
        project.name, project.framework, reference, (*project.variables, f"task={task}"),
        variant, project.variant_label if variant else "", task,
    )  # fmt: skip


PROJECTS = {
    p.name: p
    for p in (
        Project(
            "pytorch",
            "pytorch",
            ("pytorch_ref.py",),
            (),
            ("--compile",),
            "torch.compile, cold cache",
        ),
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
    """Training workload: the templates' defaults on the CPU, a long epoch, a larger one on a GPU.

    `steady_run`: measure the generated project's steady state in 2-epoch runs, one after each
    reference run (their second epochs); without it, its long epoch's own samples/s stands for it (the first step is a
    negligible share of a long epoch, and a second one would double the section's time)."""

    name: str
    overrides: tuple[str, ...] = ()
    reference_args: tuple[str, ...] = ()
    target: float = TRAIN_TARGET
    steady_run: bool = True
    # Tasks whose examples are too large for the profile's sample count: their own count.
    task_samples: tuple[tuple[str, int], ...] = ()

    def for_task(self, task: str) -> "Profile":
        overrides, reference_args = self.overrides, self.reference_args
        count = dict(self.task_samples).get(task)
        if count is not None:
            overrides = (*overrides, f"data.num_samples={count}")
            reference_args = (*reference_args, "--num-samples", str(count))
        key = SIZE_KEY.get(task)
        if key is not None:
            overrides = tuple(o.replace("data.num_samples=", f"data.{key}=", 1) for o in overrides)
        return Profile(self.name, overrides, reference_args, self.target, self.steady_run)


CPU_PROFILE = Profile("cpu")
LONG_SAMPLES = 30_000
# One epoch of 30,000 samples (10,000 one-second clips for audio: 30,000 would hold 1.9 GB of
# waveforms in memory on each side; 10,000 users for recommendation, about 120,000 training pairs),
# defaults otherwise: minutes of loop against seconds of
# start-up, so the ratio is the loop's.
LONG_PROFILE = Profile(
    "long",
    (f"data.num_samples={LONG_SAMPLES}",),
    ("--num-samples", str(LONG_SAMPLES)),
    target=LONG_TARGET,
    steady_run=False,
    task_samples=(("audio-classification", 10_000), ("recommendation", 10_000)),
)
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
    a: Callable[[], float], b: Callable[[], float], runs: int, pair: Pair, warmup: bool = False,
    then: Callable[[], None] | None = None,
) -> Pair:  # fmt: skip
    """A B A B ...: slow drifts in machine load then hit both sides equally. `then`, if given,
    runs after each B (A B C A B C ...), for a third measurement taken under the same load."""
    if warmup:  # fills the OS file cache and .pyc files; not counted
        a(), b()
    for _ in range(runs):
        pair.a.append(a())
        pair.b.append(b())
        if then is not None:
            then()
    return pair
