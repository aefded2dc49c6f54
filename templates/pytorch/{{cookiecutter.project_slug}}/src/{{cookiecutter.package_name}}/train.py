"""The training loop: AMP, optional torch.compile, DDP under torchrun, checkpoints and resume."""

from __future__ import annotations

import csv
import logging
import math
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR, LRScheduler, OneCycleLR
from tqdm import tqdm

from .config import Config, TrainerConfig
from .config_io import save_config, to_dict
from .data import build_loaders
from .evaluate import evaluate_model
from .metrics_csv import append_row
from .model import build_model, count_parameters
from .scalars import ScalarWriter
from .utils import (
    Distributed,
    Precision,
    cleanup_distributed,
    init_distributed,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    seed_everything,
    select_device,
    select_precision,
    set_rng_state,
    setup_logging,
)

log = logging.getLogger(__name__)

METRICS = ["epoch", "train_loss", "val_loss", "val_accuracy", "lr", "samples_per_s"]


def build_scheduler(optimizer: Optimizer, cfg: TrainerConfig, total_steps: int) -> LRScheduler:
    """Stepped once per batch."""
    if cfg.schedule == "onecycle":
        return OneCycleLR(optimizer, max_lr=cfg.lr, total_steps=total_steps)
    warmup = max(1, round(cfg.warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return LambdaLR(optimizer, factor)


def restore_scheduler(scheduler: LRScheduler, state: dict[str, Any]) -> None:
    # Keep the horizon of the current config, so that a finished run can be extended by raising
    # trainer.epochs (OneCycleLR would otherwise refuse to step past its old total).
    fresh = scheduler.state_dict()
    horizon = {k: fresh[k] for k in ("total_steps", "_schedule_phases") if k in fresh}
    scheduler.load_state_dict({**state, **horizon})
    # Both schedules are closed-form in the step count: re-derive the learning rate of the next
    # step under that horizon (get_lr warns when called outside step(); here it is on purpose).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        lrs = scheduler.get_lr()
    for group, lr in zip(scheduler.optimizer.param_groups, lrs, strict=True):
        group["lr"] = lr


def train_one_epoch(
    model: nn.Module,
    loader: torch.utils.data.DataLoader,
    optimizer: Optimizer,
    scheduler: LRScheduler,
    scaler: torch.amp.GradScaler,
    device: torch.device,
    precision: Precision,
    cfg: TrainerConfig,
    ctx: Distributed,
    desc: str,
) -> tuple[float, float]:
    """Returns the mean training loss over all ranks and the samples per second of all ranks."""
    model.train()
    non_blocking = device.type == "cuda"
    totals = torch.zeros(2, device=device)  # loss sum, samples; kept on device to avoid syncs
    start = time.perf_counter()
    show = ctx.is_main and sys.stderr.isatty()
    bar = tqdm(loader, desc=desc, unit="batch", leave=False, disable=not show)
    for step, (images, labels) in enumerate(bar):
        images = images.to(device, non_blocking=non_blocking)
        labels = labels.to(device, non_blocking=non_blocking)
        with torch.amp.autocast(device.type, dtype=precision.dtype, enabled=precision.enabled):
            loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        if cfg.grad_clip > 0:
            scaler.unscale_(optimizer)  # clip the true gradients, not the loss-scaled ones
            nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        totals[0] += loss.detach().float() * labels.numel()
        totals[1] += labels.numel()
        if show and step % 10 == 0:  # .item() waits for the GPU, so not on every step
            rate = totals[1].item() * ctx.world_size / (time.perf_counter() - start)
            bar.set_postfix(loss=f"{loss.item():.4f}", samples_s=f"{rate:.0f}")
    ctx.all_sum(totals)
    elapsed = time.perf_counter() - start
    loss_sum, samples = totals.tolist()
    return loss_sum / max(samples, 1.0), samples / elapsed


def train(config: Config, resume: bool = False) -> dict[str, Any]:
    ctx = init_distributed(config.trainer.device)
    try:
        return _train(config, resume, ctx)
    finally:
        cleanup_distributed(ctx)


def _train(config: Config, resume: bool, ctx: Distributed) -> dict[str, Any]:
    cfg = config.trainer
    setup_logging(ctx)
    out = Path(cfg.output_dir)
    last_path, best_path, metrics_path = out / "last.pt", out / "best.pt", out / "metrics.csv"
    # Ranks differ in dropout; weights still start equal, DDP copies rank 0's at wrapping.
    seed_everything(cfg.seed + ctx.rank, cfg.deterministic)
    device = select_device(cfg.device, ctx.local_rank)
    precision = select_precision(cfg.mixed_precision, device)
    loaders = build_loaders(config.data, cfg.seed, device, ctx)

    model = build_model(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = len(loaders.train)
    scheduler = build_scheduler(optimizer, cfg, steps_per_epoch * cfg.epochs)
    scaler = torch.amp.GradScaler(device.type, enabled=precision.needs_scaler)

    start_epoch, best = 0, {"val_accuracy": -1.0, "val_loss": math.inf}
    row: dict[str, float] = {}  # the latest epoch's metrics
    if resume:
        state = load_checkpoint(last_path, device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        restore_scheduler(scheduler, state["scheduler"])
        if scaler.is_enabled() and state["scaler"]:
            scaler.load_state_dict(state["scaler"])
        rng = state["rng"]
        set_rng_state(rng[ctx.rank % len(rng)])
        start_epoch, best, row = state["epoch"], state["best"], state["metrics"]

    train_model: nn.Module = model
    if ctx.enabled:
        train_model = DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    if cfg.compile:
        train_model = torch.compile(train_model)

    log.info(
        "rank %d/%d on %s: %d training samples, precision %s",
        ctx.rank,
        ctx.world_size,
        device,
        len(loaders.train.sampler),  # type: ignore[arg-type]
        precision.name,
    )
    writer = None
    if ctx.is_main:
        log.info("%d parameters, writing to %s", count_parameters(model), out)
        save_config(config, out / "config.toml")
        if resume:
            _drop_rows_after(metrics_path, start_epoch)
        elif metrics_path.exists():
            log.warning("%s holds an earlier run: starting over (--resume continues it)", out)
            metrics_path.unlink()
            shutil.rmtree(out / "tensorboard", ignore_errors=True)
        # On resume, TensorBoard drops the points a crashed run logged after its last checkpoint.
        writer = ScalarWriter(
            out / "tensorboard", resume_from_step=start_epoch + 1 if resume else None
        )

    ctx.barrier()  # start the clock together: rank 0 did more set-up
    for epoch in range(start_epoch, cfg.epochs):
        loaders.set_epoch(epoch)
        lr = optimizer.param_groups[0]["lr"]
        train_loss, samples_per_s = train_one_epoch(
            train_model,
            loaders.train,
            optimizer,
            scheduler,
            scaler,
            device,
            precision,
            cfg,
            ctx,
            desc=f"epoch {epoch + 1}/{cfg.epochs}",
        )
        val = evaluate_model(model, loaders.val, device, precision, ctx)
        row = {
            "epoch": epoch + 1,
            "train_loss": train_loss,
            "val_loss": val["loss"],
            "val_accuracy": val["accuracy"],
            "lr": lr,
            "samples_per_s": samples_per_s,
        }
        is_best = val["accuracy"] > best["val_accuracy"]
        if is_best:
            best = {"val_accuracy": val["accuracy"], "val_loss": val["loss"], "epoch": epoch + 1}
        rng = ctx.all_gather(rng_state())  # every rank's generators, so each resumes its own
        ctx.barrier()
        if ctx.is_main:
            append_row(metrics_path, row, METRICS)
            assert writer is not None
            writer.add_scalars("", {k: v for k, v in row.items() if k != "epoch"}, epoch + 1)
            checkpoint = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "scaler": scaler.state_dict(),
                "epoch": epoch + 1,
                "best": best,
                "metrics": row,
                "rng": rng,
                "config": to_dict(config),
            }
            save_checkpoint(checkpoint, last_path)
            if is_best:
                save_checkpoint(checkpoint, best_path)
            log.info(
                f"epoch {epoch + 1}/{cfg.epochs}  train_loss {train_loss:.4f}  "
                f"val_loss {val['loss']:.4f}  val_accuracy {val['accuracy']:.4f}  "
                f"{samples_per_s:.0f} samples/s{'  (best)' if is_best else ''}"
            )
        ctx.barrier()

    if writer is not None:
        writer.close()
    return {
        "epochs_completed": max(start_epoch, cfg.epochs),
        "train_loss": row.get("train_loss"),
        "val_loss": row.get("val_loss"),
        "val_accuracy": row.get("val_accuracy"),
        "best_val_accuracy": best["val_accuracy"],
        "best_epoch": best.get("epoch"),
        "samples_per_s": row.get("samples_per_s"),
        "world_size": ctx.world_size,
        "device": str(device),
        "precision": precision.name,
        "output_dir": str(out),
    }


def _drop_rows_after(path: Path, epoch: int) -> None:
    """A run that crashed after writing a row but before its checkpoint would repeat that row."""
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if int(r["epoch"]) <= epoch]
    if len(kept) < len(rows):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(kept)
