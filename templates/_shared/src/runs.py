"""Run directories: every `train` writes a new `<runs_dir>/<name>/`, so no run is ever replaced.

`<runs_dir>/latest` is a symbolic link to the newest run; `train --resume`, `evaluate` and `export`
use it when no run is named, and read that run's own `config.toml`, so they see the data and model
settings the run was trained with.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from .errors import ConfigError, ProjectError

LATEST = "latest"
CONFIG_FILE = "config.toml"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_run_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name == LATEST or len(name) > 100:
        raise ConfigError(
            f"trainer.run_name {name!r} must be letters, digits, '.', '_' or '-' (not {LATEST!r}), "
            "or empty for a timestamp"
        )
    return name


def new_run_name(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


def create_run(runs_dir: Path, name: str = "") -> Path:
    """Make a fresh run directory (a timestamp, made unique, unless `name` is given) and point
    `latest` at it. A named run that already exists is refused: pass `--resume` to continue it."""
    runs_dir = Path(runs_dir)
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        if name:
            run = runs_dir / check_run_name(name)
            try:
                run.mkdir()
            except FileExistsError:
                raise ConfigError(
                    f"run {run} already exists; continue it with `train --resume {run}` or "
                    "choose another trainer.run_name"
                ) from None
        else:
            base = new_run_name()
            for suffix in range(1000):
                run = runs_dir / (base if suffix == 0 else f"{base}-{suffix}")
                try:
                    run.mkdir()
                    break
                except FileExistsError:
                    continue
        mark_latest(runs_dir, run)
    except OSError as exc:
        raise ProjectError(f"cannot create a run under {runs_dir}: {exc.strerror or exc}") from exc
    return run


def mark_latest(runs_dir: Path, run: Path) -> None:
    """Point `<runs_dir>/latest` at `run` in one atomic step."""
    link = Path(runs_dir) / LATEST
    tmp = link.with_name(f".{LATEST}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(run.name, tmp)
    os.replace(tmp, link)


def find_run(runs_dir: Path, run: Path | None = None) -> Path:
    """The run to continue, evaluate or export: `run` if given, else the latest one."""
    if run is None:
        link = Path(runs_dir) / LATEST
        if not link.exists():
            raise ProjectError(f"no run under {runs_dir} yet: train first (or pass --run DIR)")
        run = link.resolve()
    run = Path(run)
    if not (run / CONFIG_FILE).is_file():
        raise ProjectError(f"{run} is not a run directory (it has no {CONFIG_FILE})")
    return run
