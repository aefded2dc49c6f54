"""Seeding, device and precision selection, distributed setup, checkpoint files."""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

log = logging.getLogger(__name__)

# The process-wide NumPy generator; use it (not np.random.*) for randomness in your own code,
# so that checkpoints capture it and a resumed run draws the same numbers.
_numpy_rng = np.random.default_rng(0)


def numpy_rng() -> np.random.Generator:
    return _numpy_rng


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed Python, NumPy and torch (all devices); optionally make kernels deterministic."""
    global _numpy_rng
    random.seed(seed)
    np.random.seed(seed)  # for third-party code that still uses the legacy global state
    _numpy_rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs a fixed workspace to be reproducible; it must be set before CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    else:
        # Input shapes are fixed, so letting cuDNN pick the fastest kernels pays off.
        torch.backends.cudnn.benchmark = True


def rng_state() -> dict[str, Any]:
    """Every generator's state, as plain data that `torch.load(weights_only=True)` accepts."""
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": _numpy_rng.bit_generator.state,
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    _numpy_rng.bit_generator.state = state["numpy"]
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def select_device(name: str, local_rank: int = 0) -> torch.device:
    """`auto` prefers CUDA, then Apple's MPS, then the CPU."""
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif torch.backends.mps.is_available():
            name = "mps"
        else:
            name = "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("trainer.device = 'cuda' but no CUDA device is available")
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    if name == "mps" and not torch.backends.mps.is_available():
        raise RuntimeError("trainer.device = 'mps' but MPS is not available")
    return torch.device(name)


@dataclass(frozen=True)
class Precision:
    dtype: torch.dtype | None  # None: plain fp32, autocast off

    @property
    def enabled(self) -> bool:
        return self.dtype is not None

    @property
    def needs_scaler(self) -> bool:
        # fp16 has a narrow exponent range: small gradients underflow without loss scaling.
        return self.dtype == torch.float16

    @property
    def name(self) -> str:
        return {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]


def select_precision(mode: str, device: torch.device) -> Precision:
    if mode == "auto":
        if device.type != "cuda":
            return Precision(None)
        return Precision(torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    return Precision({"off": None, "bf16": torch.bfloat16, "fp16": torch.float16}[mode])


@dataclass(frozen=True)
class Distributed:
    """This process's place in a `torchrun` job; world_size 1 when launched plainly."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

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

    def all_gather(self, value: Any) -> list[Any]:
        """Every rank's `value`, in rank order (a collective: all ranks must call it)."""
        if not self.enabled:
            return [value]
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, value)
        return gathered


def init_distributed(device_name: str) -> Distributed:
    """Join the process group when torchrun started us (it sets WORLD_SIZE, RANK, LOCAL_RANK)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Distributed()
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device_name in ("auto", "cuda") and torch.cuda.is_available()
    if use_cuda:
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return Distributed(rank=rank, local_rank=local_rank, world_size=world_size)


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


def save_checkpoint(state: dict[str, Any], path: Path) -> None:
    """Write to a temporary file first, so a crash mid-write never leaves a broken checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Checkpoints hold tensors and plain data only, so the safe loader is the only loader."""
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; train first")
    return torch.load(path, map_location=device, weights_only=True)
