"""Seeding, and the state of every random generator, so a resumed run draws what an unbroken one
would have drawn."""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import torch

# The process-wide NumPy generator; use it (not np.random.*) for randomness in your own code,
# so that checkpoints capture it and a resumed run draws the same numbers.
_numpy_rng = np.random.default_rng(0)


def numpy_rng() -> np.random.Generator:
    return _numpy_rng


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed Python, NumPy and torch (all devices); optionally make kernels deterministic."""
    global _numpy_rng
    random.seed(seed)
    np.random.seed(seed % 2**32)  # for third-party code that still uses the legacy global state
    _numpy_rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs a fixed workspace to be reproducible; it must be set before CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    else:
        # Training shapes are fixed (the ragged last batch is dropped), so autotuning pays off.
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
