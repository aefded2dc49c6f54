"""This process's place in a `torchrun` job, the device it trains on, and the collectives the loop
needs. Launched plainly, the world has one process and every collective is a no-op."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from .config_io import ConfigError
from .errors import ProjectError


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @classmethod
    def from_env(cls) -> Distributed:
        """What torchrun (or a scheduler's launcher) says: WORLD_SIZE, RANK, LOCAL_RANK."""
        try:
            world_size = int(os.environ.get("WORLD_SIZE", "1"))
            if world_size <= 1:
                return cls()
            rank = int(os.environ["RANK"])
            return cls(rank, int(os.environ.get("LOCAL_RANK", rank)), world_size)
        except (KeyError, ValueError) as exc:
            raise ProjectError(
                f"WORLD_SIZE, RANK and LOCAL_RANK are incomplete or not numbers ({exc}); "
                "start several processes with torchrun"
            ) from exc

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def all_sum(self, values: torch.Tensor) -> torch.Tensor:
        if self.enabled:
            dist.all_reduce(values, op=dist.ReduceOp.SUM)
        return values

    def all_max(self, values: torch.Tensor) -> torch.Tensor:
        if self.enabled:
            dist.all_reduce(values, op=dist.ReduceOp.MAX)
        return values

    def all_gather(self, value: Any) -> list[Any]:
        """Every rank's `value`, in rank order (a collective: all ranks must call it)."""
        if not self.enabled:
            return [value]
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, value)
        return gathered

    def broadcast(self, value: Any) -> Any:
        """Rank 0's `value` on every rank."""
        if not self.enabled:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def sync_buffers(self, model: nn.Module) -> None:
        """Give every rank rank 0's buffers (BatchNorm running statistics).

        DDP keeps the parameters equal, but each rank updates its running statistics from its own
        batches after DDP last broadcast them. Validating with rank 0's copy on every rank scores
        the model that rank 0 saves, so the recorded metric is the checkpoint's.
        """
        if self.enabled:
            for buffer in model.buffers():
                dist.broadcast(buffer, src=0)


def select_device(name: str, ctx: Distributed) -> torch.device:
    """`auto` prefers CUDA, then Apple's MPS (single process only), then the CPU."""
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif torch.backends.mps.is_available() and not ctx.enabled:
            name = "mps"
        else:
            name = "cpu"
    if name == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(
                "trainer.device = 'cuda' but no CUDA GPU is available; use 'auto' or 'cpu'"
            )
        if ctx.local_rank >= count:
            raise ConfigError(
                f"{ctx.local_rank + 1} or more processes on this machine but {count} GPU(s): start "
                f"torchrun with --nproc_per_node={count} or fewer, or set trainer.device = 'cpu'"
            )
        device = torch.device("cuda", ctx.local_rank)
        torch.cuda.set_device(device)
        return device
    if name == "mps":
        if not torch.backends.mps.is_available():
            raise ConfigError(
                "trainer.device = 'mps' but MPS is not available; use 'auto' or 'cpu'"
            )
        if ctx.enabled:
            raise ConfigError("torchrun trains on CUDA or on the CPU; set trainer.device = 'cpu'")
    return torch.device(name)


def init_distributed(ctx: Distributed, device: torch.device) -> None:
    """Join the process group: NCCL bound to this rank's GPU, Gloo on the CPU."""
    if not ctx.enabled or dist.is_initialized():
        return
    try:
        if device.type == "cuda":
            # Binding the group to the device up front lets NCCL connect eagerly and avoids the
            # "guessing device ID" barrier warnings.
            dist.init_process_group(backend="nccl", device_id=device)
        else:
            dist.init_process_group(backend="gloo")
    except ValueError as exc:  # the rendezvous variables (MASTER_ADDR, ...) are missing
        first = str(exc).strip().splitlines()[0]
        raise ProjectError(f"cannot join the process group: {first}; start with torchrun") from exc


def cleanup_distributed(ctx: Distributed) -> None:
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()


def setup_logging(ctx: Distributed) -> None:
    """Every line names its rank; the training loop narrates from rank 0 only."""
    logging.basicConfig(
        level=logging.INFO,
        format=f"%(asctime)s [rank {ctx.rank}/{ctx.world_size}] %(message)s",
        datefmt="%H:%M:%S",
    )
