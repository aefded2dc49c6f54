"""Learning-rate schedules, stepped once per batch, as closed forms of the step count.

A closed form makes resuming exact and lets a finished run be extended (`--resume --set
trainer.epochs=10`): the restored step count is simply evaluated under the new horizon.
"""

from __future__ import annotations

import math
from typing import Any

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

from .config import TrainerConfig

# One-cycle, as in Smith & Topin (2018) and torch's OneCycleLR defaults (learning rate only):
# from lr / 25 up to lr over the first 30% of steps, then down to lr / 25e4, both along a cosine.
ONECYCLE_RISE, ONECYCLE_START, ONECYCLE_END = 0.3, 1 / 25, 1 / 25e4


def _cosine(start: float, end: float, progress: float) -> float:
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def lr_factor(cfg: TrainerConfig, step: int, total_steps: int) -> float:
    """The learning rate of `step` (0-based) as a fraction of trainer.lr."""
    if cfg.schedule == "onecycle":
        peak = max(1.0, ONECYCLE_RISE * total_steps - 1)
        if step <= peak:
            return _cosine(ONECYCLE_START, 1.0, step / peak)
        return _cosine(1.0, ONECYCLE_END, (step - peak) / max(1.0, total_steps - 1 - peak))
    warmup = max(1, round(cfg.warmup_fraction * total_steps))
    if step < warmup:
        return (step + 1) / warmup
    return _cosine(1.0, 0.0, (step - warmup) / max(1, total_steps - warmup))


def build_scheduler(optimizer: Optimizer, cfg: TrainerConfig, total_steps: int) -> LambdaLR:
    def factor(step: int) -> float:
        return lr_factor(cfg, step, total_steps)

    return LambdaLR(optimizer, factor)


def restore_scheduler(scheduler: LambdaLR, state: dict[str, Any]) -> None:
    """The saved step count, and the learning rate it gives under this run's horizon."""
    scheduler.load_state_dict(state)
    groups = scheduler.optimizer.param_groups
    for group, base, factor in zip(groups, scheduler.base_lrs, scheduler.lr_lambdas, strict=True):
        group["lr"] = base * factor(scheduler.last_epoch)
