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
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


def parse_args(
    argv: Sequence[str] | None = None, batch_size: int = 64, **extra: dict
) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-samples", type=int, default=2000)
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
