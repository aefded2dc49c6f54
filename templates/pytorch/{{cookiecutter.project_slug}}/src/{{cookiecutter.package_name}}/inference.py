"""The model `predict` runs: a run's checkpoint, or the program `export` wrote, with the task's
record of what its outputs mean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from .checkpoint import BEST, load_checkpoint
from .errors import ProjectError
from .export import EXPORT_DIR, PROGRAM
from .model import model_from_checkpoint
from .task import Task

EXPORT_COMMAND = "{{ cookiecutter.project_slug }} export"


def load_predictor(
    run: Path, checkpoint: Path | None, exported: bool
) -> tuple[Callable[..., torch.Tensor], Task, Path]:
    """The model (in eval mode, on the CPU), its task and the file it came from."""
    if not exported:
        path = Path(checkpoint or run / BEST)
        state = load_checkpoint(path)
        return model_from_checkpoint(state), Task.from_state(state), path
    export_dir = run / EXPORT_DIR
    pt2 = export_dir / PROGRAM
    if not pt2.is_file():
        raise ProjectError(f"{run} has no exported model ({pt2}): run `{EXPORT_COMMAND}` first")
    try:
        task = Task.from_export(export_dir)
    except OSError as exc:
        raise ProjectError(f"{export_dir} is incomplete ({exc}); export the run again") from exc
    return torch.export.load(pt2).module(), task, pt2
