"""Loss and accuracy of a checkpoint on the held-out split of its run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from .checkpoint import BEST, load_checkpoint
from .config import Config
from .config_io import ConfigError
from .data import build_loaders
from .distributed import Distributed, select_device
from .model import model_from_checkpoint
from .precision import Precision, select_precision


@torch.no_grad()
def evaluate_model(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    precision: Precision,
    ctx: Distributed | None = None,
) -> dict[str, float]:
    """Exact over all ranks: each sums over its own slice, then the sums are added up."""
    model.eval()
    non_blocking = device.type == "cuda"
    totals = torch.zeros(3, device=device)  # loss sum, correct, count; float32 works on MPS too
    for images, labels in loader:
        images = images.to(device, non_blocking=non_blocking)
        labels = labels.to(device, non_blocking=non_blocking)
        with precision.autocast(device):
            logits = model(images)
        totals[0] += F.cross_entropy(logits.float(), labels, reduction="sum")
        totals[1] += (logits.argmax(dim=1) == labels).sum()
        totals[2] += labels.numel()
    if ctx is not None:
        ctx.all_sum(totals)
    loss_sum, correct, count = totals.tolist()
    count = max(count, 1.0)
    return {"loss": loss_sum / count, "accuracy": correct / count, "num_samples": int(count)}


def evaluate(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    """Score `checkpoint` (default: the run's best) on the split that `config` (the run's own
    saved configuration) held out, with the precision the run trained in."""
    path = Path(checkpoint or run / BEST)
    state = load_checkpoint(path)
    device = select_device(config.trainer.device, Distributed())
    loaders = build_loaders(config.data, config.trainer.seed, device)
    if loaders.classes != list(state["classes"]):
        raise ConfigError(
            f"{path} was trained on {len(state['classes'])} classes, but data.source "
            f"{config.data.source!r} now holds {len(loaders.classes)} other ones"
        )
    model = model_from_checkpoint(state, device)
    precision = select_precision(config.trainer.mixed_precision, device)
    metrics = evaluate_model(model, loaders.val, device, precision)
    recorded = state["metrics"]
    return {
        "run_dir": str(run),
        "checkpoint": str(path),
        "epoch": state["progress"]["epoch"],
        **metrics,
        "recorded_val_loss": recorded.get("val_loss"),
        "recorded_val_accuracy": recorded.get("val_accuracy"),
    }
