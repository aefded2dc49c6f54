"""The training loop: epochs of steps, validation, checkpoints, and stopping cleanly on a signal.

A stop (SIGINT, SIGTERM) or a diverged loss is acted on at a step boundary that every rank agrees
on, so no rank is left waiting in a collective that another has abandoned. A stop writes `last.pt`
at that step, with the position inside the epoch and every rank's random state and running loss:
`--resume` continues from the next step exactly as if there had been no interruption.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR
from tqdm import tqdm

from .checkpoint import BEST, LAST, save_checkpoint
from .config import Config
from .config_io import to_dict
from .data import Loaders
from .distributed import Distributed
from .errors import check_finite
from .evaluate import evaluate_model
from .interrupts import StopRequest
from .metrics_csv import append_row
from .precision import Precision
from .scalars import ScalarWriter
from .seeding import rng_state
from .task import Task

log = logging.getLogger(__name__)

# Under torchrun the ranks compare notes (one all-reduce of two numbers) every this many steps
# and at the end of each epoch; a single process looks at its signal flag after every step.
CHECK_EVERY = 10


@dataclass
class Progress:
    epoch: int = 0  # epochs completed
    step: int = 0  # steps completed in the current epoch
    best: dict[str, Any] = field(default_factory=dict)  # metric, value, epoch
    row: dict[str, float] = field(default_factory=dict)  # the latest epoch's metrics


@dataclass
class Session:
    """Everything one rank's training run holds and changes."""

    config: Config
    ctx: Distributed
    device: torch.device
    precision: Precision
    run: Path
    loaders: Loaders
    task: Task  # the loss, the metrics and what checkpoints record of the data
    model: nn.Module  # the plain module: what checkpoints save and validation runs
    train_model: nn.Module  # the same module wrapped for training (DDP, torch.compile)
    optimizer: Optimizer
    scheduler: LambdaLR
    scaler: torch.amp.GradScaler
    progress: Progress
    totals: torch.Tensor  # this rank's loss sum and sample count in the current epoch
    writer: ScalarWriter | None = None


def fit(s: Session, stop: StopRequest) -> None:
    epochs = s.config.trainer.epochs
    steps = s.loaders.batches.steps_per_epoch
    for epoch in range(s.progress.epoch, epochs):
        # The rate of the epoch's first step, also when it resumes in the middle of it.
        lr = s.scheduler.base_lrs[0] * s.scheduler.lr_lambdas[0](epoch * steps)
        samples_per_s = train_epoch(s, stop, epoch)
        end_epoch(s, epoch, lr, samples_per_s)
        if epoch + 1 < epochs and agree(s, stop):  # a signal during validation
            raise stop.stop(f"after epoch {epoch + 1}", s.run / LAST)


def train_epoch(s: Session, stop: StopRequest, epoch: int) -> float:
    """Train the rest of `epoch`; the samples per second of all ranks."""
    s.train_model.train()
    s.loaders.set_epoch(epoch, start=s.progress.step)
    steps = s.loaders.batches.steps_per_epoch
    show = s.ctx.is_main and sys.stderr.isatty()
    desc = f"epoch {epoch + 1}/{s.config.trainer.epochs}"
    bar = tqdm(s.loaders.train, desc=desc, unit="batch", leave=False, disable=not show)
    start, done = time.perf_counter(), 0
    every = s.config.trainer.checkpoint_every_steps
    for batch in bar:
        loss = train_step(s, batch)
        s.progress.step += 1
        done += len(batch[-1])
        if show and s.progress.step % CHECK_EVERY == 0:  # .item() waits for the GPU
            bar.set_postfix(loss=f"{loss.item():.4f}")
        check_due = s.progress.step % CHECK_EVERY == 0 or s.progress.step == steps
        if (check_due or (not s.ctx.enabled and stop.requested)) and agree(s, stop):
            bar.close()
            write_checkpoint(s)
            where = f"at epoch {epoch + 1} step {s.progress.step}/{steps}"
            raise stop.stop(where, s.run / LAST)
        if every and s.progress.step % every == 0 and s.progress.step < steps:
            write_checkpoint(s)  # the epoch's end writes its own
    bar.close()
    rate = s.ctx.all_sum(torch.tensor([float(done)], device=s.device)).item()
    return rate / max(time.perf_counter() - start, 1e-9)


def train_step(s: Session, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """One optimizer step on `batch`: the model's inputs, then the labels."""
    non_blocking = s.device.type == "cuda"
    *inputs, labels = (t.to(s.device, non_blocking=non_blocking) for t in batch)
    with s.precision.autocast(s.device):
        loss = s.task.loss(s.train_model(*inputs), labels)
    s.optimizer.zero_grad(set_to_none=True)
    s.scaler.scale(loss).backward()
    clip = s.config.trainer.grad_clip
    if clip > 0:
        s.scaler.unscale_(s.optimizer)  # clip the true gradients, not the loss-scaled ones
        nn.utils.clip_grad_norm_(s.model.parameters(), clip, foreach=True)
    s.scaler.step(s.optimizer)
    s.scaler.update()
    s.scheduler.step()
    # Kept on the device: summing here costs no synchronisation with the GPU.
    s.totals[0] += loss.detach().float() * len(labels)
    s.totals[1] += len(labels)
    return loss


def agree(s: Session, stop: StopRequest) -> bool:
    """Whether to stop now, the same answer on every rank; raises if the loss has diverged."""
    flags = torch.stack(
        [
            torch.tensor(float(stop.requested or 0), device=s.device),
            (~torch.isfinite(s.totals[0])).float(),
        ]
    )
    signum, diverged = s.ctx.all_max(flags).tolist()
    if diverged:
        where = f"at epoch {s.progress.epoch + 1} step {s.progress.step}"
        check_finite("the training loss", float("nan"), where)
    if signum:
        stop.request(int(signum))  # the signal a peer got, when this rank got none
    return bool(signum)


def end_epoch(s: Session, epoch: int, lr: float, samples_per_s: float) -> None:
    totals = s.ctx.all_sum(s.totals.clone())
    loss_sum, samples = totals.tolist()
    # Every rank scores rank 0's weights and buffers: the model rank 0 is about to save.
    s.ctx.sync_buffers(s.model)
    val = evaluate_model(s.model, s.loaders.val, s.task, s.device, s.precision, s.ctx)
    check_finite("the validation loss", val["loss"], f"after epoch {epoch + 1}")
    row = {
        "epoch": epoch + 1,
        "train_loss": loss_sum / max(samples, 1.0),
        **{name: val[name.removeprefix("val_")] for name in s.task.metric_names},
        "lr": lr,
        "samples_per_s": samples_per_s,
    }
    p = s.progress
    p.epoch, p.step, p.row = epoch + 1, 0, row
    s.totals.zero_()
    is_best = is_better(row[p.best["metric"]], p.best, s.config.trainer.best_mode)
    if is_best:
        p.best.update(value=row[p.best["metric"]], epoch=epoch + 1)
    write_checkpoint(s, best=is_best)
    if s.ctx.is_main:
        append_row(s.run / "metrics.csv", row, list(row))
{% if cookiecutter.task == "generative" %}
        s.task.write_samples(s.model, s.run, epoch + 1)  # the same codes every epoch
{% endif %}
        assert s.writer is not None
        s.writer.add_scalars("", {k: v for k, v in row.items() if k != "epoch"}, epoch + 1)
        scores = "  ".join(f"{k} {row[k]:.4f}" for k in ["train_loss", *s.task.metric_names])
        log.info(
            f"epoch {epoch + 1}/{s.config.trainer.epochs}  {scores}  "
            f"{samples_per_s:.0f} samples/s{'  (best)' if is_best else ''}"
        )


def is_better(value: float, best: dict[str, Any], mode: str) -> bool:
    if best.get("value") is None:
        return True
    return value < best["value"] if mode == "min" else value > best["value"]


def write_checkpoint(s: Session, best: bool = False) -> None:
    """`last.pt` (and `best.pt`), by rank 0, with every rank's random state and running loss."""
    ranks = s.ctx.all_gather({"rng": rng_state(), "totals": s.totals.cpu()})
    if s.ctx.is_main:
        p = s.progress
        model = {
            "model": s.model.state_dict(),
            "progress": {
                "epoch": p.epoch,
                "step": p.step,
                "steps_per_epoch": s.loaders.batches.steps_per_epoch,
                "world_size": s.ctx.world_size,
            },
            "best": dict(p.best),
            "metrics": dict(p.row),
            **s.task.state(),
            "config": to_dict(s.config),
        }
        resumable = {
            **model,
            "optimizer": s.optimizer.state_dict(),
            "scheduler": s.scheduler.state_dict(),
            "scaler": s.scaler.state_dict(),
            "ranks": ranks,
        }
        save_checkpoint(resumable, s.run / LAST)
        if best:  # what evaluate and export need; resuming always starts from last.pt
            save_checkpoint(model, s.run / BEST)
    s.ctx.barrier()  # nobody reports a checkpoint before it exists
