"""Export: the task's serving artifact (a SavedModel and what travels with it, see `serving.py`),
written to a staging folder, checked against the trained model, then moved into place.

A SavedModel is a TensorFlow program, not just weights: loading one runs its graph. Load only
SavedModels you produced or trust.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .errors import ProjectError
from .serving import FILES, write_and_check

EXPORT_DIR = "export"
EXPORT_COMMAND = "{{ cookiecutter.project_slug }} export"


def export(config: Config, run: Path, checkpoint: Path | None = None) -> dict:
    """Export `checkpoint` (default: the run's best) to `<run>/export/`, replacing an older one
    only once the new export has been written and checked."""
    path = resolve_checkpoint(run, checkpoint)
    model, spec = load_trained_model(config, path)
    out, staging = run / EXPORT_DIR, run / f".export-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        result = write_and_check(config, model, spec, staging)
        _replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    located = {k: str(out / Path(v).name) if k in FILES else v for k, v in result.items()}
    return {"run_dir": str(run), "checkpoint": path, **located}


def exported(run: Path) -> Path:
    """The run's export folder, or a one-line error saying how to make it."""
    folder = run / EXPORT_DIR
    if not (folder / "saved_model").is_dir():
        raise ProjectError(f"{run} has no export yet: run `{EXPORT_COMMAND} --run {run}` first")
    return folder


def _replace(new: Path, target: Path) -> None:
    """Move `new` into place as `target`; the previous export is removed only afterwards."""
    old = target.with_name(f"{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
