"""Loss and accuracy of a checkpoint on the held-out split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from .config import Config
from .data import build_loaders
from .model import model_from_checkpoint
from .utils import Distributed, Precision, load_checkpoint, select_device, select_precision


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
        with torch.amp.autocast(device.type, dtype=precision.dtype, enabled=precision.enabled):
            logits = model(images)
        totals[0] += F.cross_entropy(logits.float(), labels, reduction="sum")
        totals[1] += (logits.argmax(dim=1) == labels).sum()
        totals[2] += labels.numel()
    if ctx is not None:
        ctx.all_sum(totals)
    loss_sum, correct, count = totals.tolist()
    count = max(count, 1.0)
    return {"loss": loss_sum / count, "accuracy": correct / count, "num_samples": int(count)}


def evaluate(config: Config, checkpoint: Path | None = None) -> dict[str, Any]:
    path = Path(checkpoint or Path(config.trainer.output_dir) / "best.pt")
    device = select_device(config.trainer.device)
    state = load_checkpoint(path, device)
    model = model_from_checkpoint(state, device)
    loaders = build_loaders(config.data, config.trainer.seed, device)
    precision = select_precision(config.trainer.mixed_precision, device)
    metrics = evaluate_model(model, loaders.val, device, precision)
    return {"checkpoint": str(path), "epoch": state["epoch"], **metrics}
