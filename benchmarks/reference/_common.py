"""What every reference script shares: the command line, the clock and the JSON it prints.

A reference trains the generated project's default model on the same synthetic data and batch size
for one epoch (training steps, then one pass over the validation split), with the fastest settings
its framework offers on the device, and prints one JSON line:

    {"samples_per_s": steady state, after the first (compiling) step,
     "seconds": the epoch's training time including the first step,
     "epoch_samples_per_s": samples / seconds, the way the generated projects report it, ...}
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SHARED_TASKS = Path(__file__).resolve().parents[2] / "templates" / "_shared" / "src" / "tasks"


def parse_args(
    argv: Sequence[str] | None = None, batch_size: int = 64, num_samples: int = 2000, **extra: dict
) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-samples", type=int, default=num_samples)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=0)
    for flag, options in extra.items():
        parser.add_argument(flag, **options)
    return parser.parse_args(argv)


@dataclass
class StepClock:
    """Times each training step; the first one (tracing, compiling, allocating) is warm-up."""

    batch_size: int
    start: float = field(default_factory=time.perf_counter)
    marks: list[float] = field(default_factory=list)

    def step_done(self) -> None:
        self.marks.append(time.perf_counter())

    def report(self, **extra: object) -> dict[str, object]:
        steps = len(self.marks)
        seconds = self.marks[-1] - self.start
        steady = (self.marks[-1] - self.marks[0]) / max(steps - 1, 1)
        return {
            "samples_per_s": round(self.batch_size / steady, 1),
            "steady_samples_per_s": round(self.batch_size / steady, 1),
            "seconds": round(seconds, 3),
            "epoch_samples_per_s": round(steps * self.batch_size / seconds, 1),
            "warmup_s": round(self.marks[0] - self.start, 3),
            "steps": steps,
            **extra,
        }


def warmup_cosine(total: int, warmup_fraction: float = 0.05):
    """The templates' default schedule as a LambdaLR factor: linear warm-up, then cosine to 0."""
    warmup = max(1, round(total * warmup_fraction))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))

    return factor


def emit(result: dict[str, object]) -> None:
    print(json.dumps(result), flush=True)


def shared_module(task: str, name: str) -> types.ModuleType:
    """`templates/_shared/src/tasks/<task>/<name>.py`, the templates' framework-neutral task code,
    loaded as it is: a submodule of a stand-in package that also holds the `.errors` it imports."""
    package = f"_bench_{task}"
    if f"{package}.{name}" in sys.modules:
        return sys.modules[f"{package}.{name}"]
    if package not in sys.modules:
        stand_in = types.ModuleType(package)
        stand_in.__path__ = [str(SHARED_TASKS / task)]
        errors = types.ModuleType(f"{package}.errors")
        errors.ConfigError = type("ConfigError", (ValueError,), {})
        sys.modules[package], sys.modules[f"{package}.errors"] = stand_in, errors
    path = SHARED_TASKS / task / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
