"""Checkpoint files: written atomically, read back on the CPU with the safe loader."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import torch

from .errors import ProjectError

LAST = "last.pt"  # the latest state, mid-epoch after an interrupt: what --resume continues
BEST = "best.pt"  # the epoch with the best trainer.best_metric: what evaluate and export use


def save_checkpoint(state: dict[str, Any], path: Path) -> None:
    """Write to a temporary file first, so a crash mid-write never leaves a broken checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Onto the CPU: `load_state_dict` copies each tensor to its device, and the file's copy is
    dropped once loaded, instead of holding a second model and optimizer on the GPU for the run.
    Checkpoints hold tensors and plain data only, so the safe loader is the only loader."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"no checkpoint at {path}: train first, or pass --checkpoint FILE")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ProjectError(f"{path} is not a readable checkpoint: {first}") from exc
