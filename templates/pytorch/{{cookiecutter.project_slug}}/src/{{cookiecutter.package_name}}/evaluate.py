"""The task's metrics of a checkpoint on the held-out split of its run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from .checkpoint import BEST, load_checkpoint
from .config import Config
from .data import build_loaders
from .distributed import Distributed, select_device
from .model import model_from_checkpoint
from .precision import Precision, select_precision
from .task import Task


@torch.no_grad()
def evaluate_model(
    model: nn.Module,
    batches: Any,
    task: Task,
    device: torch.device,
    precision: Precision,
    ctx: Distributed | None = None,
) -> dict[str, float]:
    """Exact over all ranks: each scores its own slice of `batches`, the task combines them."""
    model.eval()
    non_blocking = device.type == "cuda"
    metrics = task.metrics(device)
    for batch in batches:
        *inputs, labels = (t.to(device, non_blocking=non_blocking) for t in batch)
        with precision.autocast(device):
            outputs = model(*inputs)
        metrics.update(outputs, labels)
    return metrics.compute(ctx)


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    """Score `checkpoint` (default: the run's best) on the split that `config` (the run's own
    saved configuration) held out, with the precision the run trained in."""
    path = Path(checkpoint or run / BEST)
    state = load_checkpoint(path)
    device = select_device(config.trainer.device, Distributed())
    loaders = build_loaders(config, device)
    task = Task.from_loaders(loaders)
    task.check_state(state, path)
    model = model_from_checkpoint(state, device)
    precision = select_precision(config.trainer.mixed_precision, device)
    metrics = evaluate_model(model, loaders.val, task, device, precision)
    recorded = state["metrics"]
    return {
        "run_dir": str(run),
        "checkpoint": str(path),
        "epoch": state["progress"]["epoch"],
        **metrics,
        **{f"recorded_{name}": recorded.get(name) for name in task.metric_names},
        **task.summary(),
    }
