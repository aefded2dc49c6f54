"""Render a template into place so that a failure at any step leaves the target as it was.

The template is rendered with cookiecutter's own API into a staging directory beside the target
(so the final move is a rename on one file system), the record of the answers is written there, and
only then is the result moved into place: one `rename` for a new project, or file-by-file
replacement with backups, rolled back on any error or signal, when `force` merges into an existing
directory. SIGINT and SIGTERM are held while files move; one that arrives meanwhile undoes the move.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import OutputError, TargetExistsError
from .signals import Interrupted, signal_pending, signals_deferred
from .templates import Template, iter_tree

if TYPE_CHECKING:
    from .checked import CheckedAnswers

RECORD_FILE = ".scaffold.json"
STAGING_PREFIX = ".scaffold-staging-"
# Staging directories that must outlive the run: they hold originals a rollback could not restore.
_KEEP: set[Path] = set()


@dataclass(frozen=True)
class Plan:
    """What generating will do: the project directory, the files it writes, those it replaces."""

    template: Template
    context: dict[str, str]
    target: Path
    files: tuple[str, ...] = ()
    overwritten: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def target_for(output_dir: Path, context: Mapping[str, str]) -> Path:
    return output_dir / context["project_slug"]


def check_target(target: Path, force: bool) -> None:
    """Refuse a non-empty target unless `force`; refuse a target that is a file in any case."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetExistsError(f"{target} exists and is not a directory; choose another name")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetExistsError(
            f"{target} already exists and is not empty; use --force to write the template's files "
            "into it (other files are kept), or --dry-run to see what would be replaced"
        )


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path


def _fail_on_oserror(exc: OSError, where: Path) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"no space left on the device holding {where}; nothing was written")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"cannot write to {where}: permission denied; nothing was written")
    return OutputError(f"cannot write to {where}: {exc.strerror or exc}; nothing was written")


@contextlib.contextmanager
def staging_dir(output_dir: Path | None) -> Iterator[Path]:
    """A temporary directory on the target's file system (the system's temporary directory for
    None), removed whatever happens."""
    parent = Path(tempfile.gettempdir()) if output_dir is None else _existing_ancestor(output_dir)
    if not parent.is_dir():
        raise OutputError(f"{parent} is not a directory; choose another --output-dir")
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as exc:
        raise _fail_on_oserror(exc, parent) from None
    try:
        yield staging
    finally:
        if staging not in _KEEP:  # a failed rollback left the user's originals in there
            with signals_deferred():  # a second Ctrl-C must not leave half a staging directory
                shutil.rmtree(staging, ignore_errors=True)


def write_record(project: Path, template: Template, context: Mapping[str, Any]) -> None:
    """Record what the project was made from: template, version, every answer (replay format)."""
    answers = {k: v for k, v in context.items() if not k.startswith("_") or k == "_decision"}
    record = {
        "template": template.name,
        "template_version": template.version,
        "scaffold_version": __version__,
        "context": {"cookiecutter": answers},
        # The files the template wrote: `scaffold update` touches these and nothing else.
        "files": sorted({*list_files(project), RECORD_FILE}),
    }
    if template.source:
        record["template_source"] = template.source
    if template.checkout:
        record["template_checkout"] = template.checkout
    (project / RECORD_FILE).write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def list_files(root: Path) -> tuple[str, ...]:
    return tuple(
        sorted(str(p.relative_to(root)) for p in iter_tree(root) if p.is_file() or p.is_symlink())
    )


def _stage(
    template: Template, answers: CheckedAnswers, staging: Path
) -> tuple[Path, dict, tuple[str, ...]]:
    """Render into `staging` and record the answers; returns the project, its context, its files."""
    from .render import render

    try:
        project, full_context = render(template, answers, staging)
    except OSError as exc:
        raise _fail_on_oserror(exc, staging.parent) from None  # the output side, not staging
    write_record(project, template, full_context)
    return project, full_context, list_files(project)


def plan(template: Template, answers: CheckedAnswers, output_dir: Path, force: bool) -> Plan:
    """Render in a temporary directory and report what would be written; the output directory and
    everything around it stay as they were."""
    check_target(target_for(output_dir, answers), force)
    with staging_dir(None) as staging:
        project, full_context, files = _stage(template, answers, staging)
    # A team template may name its directory otherwise than project_slug: check what it rendered.
    target = output_dir / project.name
    check_target(target, force)
    overwritten = tuple(f for f in files if (target / f).exists())
    return Plan(template, dict(answers), target, files, overwritten, {"context": full_context})


def generate(template: Template, answers: CheckedAnswers, output_dir: Path, force: bool) -> Plan:
    """Render `template` and move it into `output_dir/<its directory>`, all or nothing."""
    check_target(target_for(output_dir, answers), force)
    with staging_dir(output_dir) as staging:
        project, full_context, files = _stage(template, answers, staging)
        target = output_dir / project.name
        check_target(target, force)
        overwritten = tuple(f for f in files if (target / f).exists())
        created: list[Path] = []
        try:
            _make_parents(output_dir, created)
            if target.is_dir() and any(target.iterdir()):
                _merge_into(project, target, files, staging / ".backup")
            else:
                _move_into_place(project, target)
        except BaseException as exc:
            for directory in reversed(created):
                with contextlib.suppress(OSError):
                    directory.rmdir()
            if isinstance(exc, OSError):
                raise _fail_on_oserror(exc, output_dir) from None
            raise
    return Plan(template, dict(answers), target, files, overwritten, {"context": full_context})


def _make_parents(output_dir: Path, created: list[Path]) -> None:
    """Create the missing output directory and parents, recording each in `created` to undo."""
    missing = []
    path = output_dir.absolute()
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir()
        created.append(directory)


def _move_into_place(project: Path, target: Path) -> None:
    """One rename, with SIGINT/SIGTERM held: a signal that arrived meanwhile undoes it."""
    with signals_deferred() as deferral:
        empty_target_mode = None
        if target.is_dir():
            # Empty (checked by check_target); rename cannot replace a directory portably.
            empty_target_mode = stat.S_IMODE(target.stat().st_mode)
            target.rmdir()
        try:
            os.rename(project, target)
            if signal_pending():
                os.rename(target, project)
                raise Interrupted()
        except BaseException as exc:
            if empty_target_mode is not None and not target.exists():
                with contextlib.suppress(OSError):
                    target.mkdir()
                    os.chmod(target, empty_target_mode)
            if not isinstance(exc, Interrupted):
                raise
            deferral.undone = True


def _check_merge(target: Path, files: tuple[str, ...]) -> None:
    """Refuse, before touching anything, a merge that would have to replace a directory or a file
    standing where the template needs a directory."""
    for rel in files:
        dest = target / rel
        if dest.is_dir() and not dest.is_symlink():
            raise TargetExistsError(f"{dest} is a directory but the template writes a file there")
        for parent in dest.relative_to(target).parents[:-1]:
            path = target / parent
            if path.is_symlink() or (path.exists() and not path.is_dir()):
                raise TargetExistsError(
                    f"{path} is a file but the template writes a directory there; "
                    "move it away or choose another name"
                )


def _merge_into(project: Path, target: Path, files: tuple[str, ...], backup: Path) -> None:
    """Replace the template's files in `target`, keeping backups; undo everything on failure."""
    _check_merge(target, files)
    moved: list[str] = []
    made_dirs: list[Path] = []
    with signals_deferred() as deferral:
        try:
            for rel in files:
                dest = target / rel
                for parent in reversed(dest.relative_to(target).parents[:-1]):
                    if not (target / parent).exists():
                        (target / parent).mkdir()
                        made_dirs.append(target / parent)
                if dest.exists() or dest.is_symlink():
                    (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(dest, backup / rel)
                moved.append(rel)
                os.rename(project / rel, dest)
            if signal_pending():
                raise Interrupted()
        except BaseException as exc:
            _roll_back(target, backup, moved, made_dirs)
            if not isinstance(exc, Interrupted):
                raise
            deferral.undone = True


def _roll_back(target: Path, backup: Path, moved: list[str], made_dirs: list[Path]) -> None:
    """Put every replaced file back. If one cannot be, keep the backups and say where they are."""
    lost = []
    for rel in reversed(moved):
        try:
            if (backup / rel).exists() or (backup / rel).is_symlink():
                os.replace(backup / rel, target / rel)
            else:
                with contextlib.suppress(FileNotFoundError):
                    (target / rel).unlink()
        except OSError:
            lost.append(rel)
    for directory in reversed(made_dirs):
        with contextlib.suppress(OSError):
            directory.rmdir()
    if lost:
        _KEEP.add(backup.parent)
        raise OutputError(
            f"could not restore {len(lost)} replaced file(s) in {target} (first: {lost[0]}); "
            f"the originals are kept in {backup}"
        )
