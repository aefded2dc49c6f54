"""`train`: set up a run (new, or resumed from its `last.pt`), then hand it to the loop.

Each run lives in its own directory under `trainer.runs_dir`, so a second `train` never touches the
first. The process group, the device and the signal handlers live exactly as long as the run.
"""

from __future__ import annotations

import csv
import gc
import logging
import traceback
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .checkpoint import LAST, load_checkpoint
from .config import Config
from .config_io import ConfigError, save_config
from .data import build_loaders
from .distributed import (
    Distributed,
    cleanup_distributed,
    init_distributed,
    select_device,
    setup_logging,
)
from .errors import ProjectError
from .interrupts import stop_on_signals
from .loop import Progress, Session, fit
from .precision import select_precision
from .runs import CONFIG_FILE, create_run, mark_latest
from .scalars import ScalarWriter
from .schedule import build_scheduler, restore_scheduler
from .seeding import seed_everything, set_rng_state
from .task import Task

log = logging.getLogger(__name__)


def train(config: Config, resume: Path | None = None) -> dict[str, Any]:
    """Train a new run, or continue the run directory `resume` from its last checkpoint."""
    if resume is not None and not (resume / LAST).is_file():
        raise ProjectError(f"{resume} has no checkpoint ({LAST}) to resume; train without --resume")
    ctx = Distributed.from_env()
    device = select_device(config.trainer.device, ctx)
    init_distributed(ctx, device)
    try:
        setup_logging(ctx)
        result = run_session(config, ctx, device, resume)
        # Ranks leave the group together after a finished run: one that tore its group down and
        # exited while a peer was still in its own teardown could abort the peer. Not after an
        # error or a stop, where a peer may never arrive.
        ctx.barrier()
        return result
    except BaseException as exc:
        # The traceback's frames would keep the session, and with it DDP's hold on the group.
        traceback.clear_frames(exc.__traceback__)
        raise
    finally:
        # DDP's reducer holds the process group, and a group that outlives `destroy` is freed at
        # interpreter shutdown, where Gloo's threads abort the process (SIGABRT, "terminate
        # called without an active exception"). Collect the session's cycles first.
        gc.collect()
        cleanup_distributed(ctx)


def run_session(
    config: Config, ctx: Distributed, device: torch.device, resume: Path | None
) -> dict[str, Any]:
    """The run itself; its session is garbage once this returns."""
    with stop_on_signals() as stop:
        session = start(config, ctx, device, resume)
        try:
            fit(session, stop)
        finally:
            if session.writer is not None:
                session.writer.close()
    return summary(session)


def start(config: Config, ctx: Distributed, device: torch.device, resume: Path | None) -> Session:
    cfg = config.trainer
    # Ranks differ in dropout; weights still start equal, DDP copies rank 0's at wrapping.
    seed_everything(cfg.seed + ctx.rank, cfg.deterministic)
    precision = select_precision(cfg.mixed_precision, device)
    loaders = build_loaders(config, device, ctx)  # bad data fails before a run
    task = Task.from_loaders(loaders)
    task.resolve(config)  # what the data decided is saved with the run
    model = task.build_model(config).to(device)  # so may a model it cannot build
    run = resume or new_run(config, ctx)
    # The fused kernel updates every parameter in one pass; without `fused` PyTorch picks its
    # per-tensor loop on the CPU, which costs small models a large share of each step. Frozen
    # weights (a pretrained model under adapters) get no optimizer state.
    fused = device.type in ("cpu", "cuda")
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    steps = loaders.batches.steps_per_epoch
    session = Session(
        config=config,
        ctx=ctx,
        device=device,
        precision=precision,
        run=run,
        loaders=loaders,
        task=task,
        model=model,
        train_model=model,
        optimizer=optimizer,
        scheduler=build_scheduler(optimizer, cfg, steps * cfg.epochs),
        scaler=torch.amp.GradScaler(device.type, enabled=precision.needs_scaler),
        progress=Progress(best={"metric": cfg.best_metric, "value": None, "epoch": None}),
        totals=torch.zeros(2, device=device),
    )
    if resume is not None:
        restore(session, load_checkpoint(resume / LAST))
    session.train_model = wrap(model, ctx, device, cfg.compile)
    log.info(
        "on %s: %d steps of %d samples per epoch, precision %s",
        device,
        steps,
        config.data.batch_size,
        precision.name,
    )
    if ctx.is_main:
        log.info("%d parameters, writing to %s", count_parameters(model), run)
        save_config(config, run / CONFIG_FILE)
        mark_latest(run.parent, run)
        _drop_rows_after(run / "metrics.csv", session.progress.epoch)
        # On resume, TensorBoard drops the points a stopped run logged after its checkpoint.
        first = session.progress.epoch + 1 if resume is not None else None
        session.writer = ScalarWriter(run / "tensorboard", resume_from_step=first)
    ctx.barrier()  # start the clock together: rank 0 did more set-up
    return session


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def new_run(config: Config, ctx: Distributed) -> Path:
    """Rank 0 makes the run directory; every rank gets its path (or rank 0's error)."""
    made: str | ProjectError | None = None
    if ctx.is_main:
        try:
            made = str(create_run(config.trainer.runs_dir, config.trainer.run_name))
        except ProjectError as exc:
            made = exc
    made = ctx.broadcast(made)
    if isinstance(made, ProjectError):
        raise made
    return Path(str(made)).absolute()


def restore(s: Session, state: dict[str, Any]) -> None:
    """Continue where `state` stopped: weights, optimizer, schedule, loss scale, position, RNG."""
    where = s.run / LAST
    s.task.check_state(state, where)
    if state["best"]["metric"] != s.config.trainer.best_metric:
        raise ConfigError(
            f"{where} keeps its best by {state['best']['metric']!r}; trainer.best_metric "
            "cannot change when resuming"
        )
    position, ranks = state["progress"], state["ranks"]
    same_steps = position["steps_per_epoch"] == s.loaders.batches.steps_per_epoch
    if position["step"] and not (same_steps and position["world_size"] == s.ctx.world_size):
        raise ConfigError(
            f"{where} stopped inside an epoch with {position['world_size']} process(es) and "
            f"{position['steps_per_epoch']} steps per epoch; resume it with the same process "
            "count and data.batch_size"
        )
    s.model.load_state_dict(state["model"])
    s.optimizer.load_state_dict(state["optimizer"])
    restore_scheduler(s.scheduler, state["scheduler"])
    if s.scaler.is_enabled() and state["scaler"]:
        s.scaler.load_state_dict(state["scaler"])
    mine = ranks[s.ctx.rank % len(ranks)]
    set_rng_state(mine["rng"])
    if position["step"]:
        s.totals.copy_(mine["totals"])
    p = s.progress
    p.epoch, p.step = position["epoch"], position["step"]
    p.best, p.row = state["best"], state["metrics"]


def wrap(model: nn.Module, ctx: Distributed, device: torch.device, compile: bool) -> nn.Module:
    wrapped = model
    if ctx.enabled:
        wrapped = DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    if compile:
        wrapped = torch.compile(wrapped)
    return wrapped


def summary(s: Session) -> dict[str, Any]:
    p = s.progress
    return {
        "run_dir": str(s.run),
        "epochs_completed": p.epoch,
        **{name: p.row.get(name) for name in ["train_loss", *s.task.metric_names]},
        "best_metric": p.best["metric"],
        "best_value": p.best["value"],
        "best_epoch": p.best["epoch"],
        "samples_per_s": p.row.get("samples_per_s"),
        **s.task.summary(),
        "world_size": s.ctx.world_size,
        "device": str(s.device),
        "precision": s.precision.name,
    }


def _drop_rows_after(path: Path, epoch: int) -> None:
    """A run stopped after writing a row but before its checkpoint would repeat that row."""
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
