"""Git for `scaffold update`: run git, and merge the template branch without losing anything.

A file the merge would add where the work tree holds an untracked or ignored file of the user's is
refused unless `force`; SIGINT and SIGTERM are held during the merge, and one that arrives meanwhile
puts HEAD, the index and the work tree back as they were before it is raised.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from .errors import GitError
from .signals import Interrupted, signal_pending, signals_deferred

TEMPLATE_BRANCH = "scaffold/template"


def git(
    project: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["git", "-C", str(project), *args],
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, "LC_ALL": "C", **(env or {})},
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else result.returncode}")
    return result


def in_the_way(project: Path, commit: str) -> tuple[list[str], list[str]]:
    """The files merging `commit` adds that HEAD does not track, and those of them that exist in
    the work tree (untracked or ignored: the user's, which git would refuse or silently replace)."""
    base = git(project, "merge-base", "HEAD", commit, check=False).stdout.strip()
    if not base:
        return [], []
    added = git(project, "diff", "--name-only", "-z", "--diff-filter=A", base, commit)
    tracked = set(git(project, "ls-files", "-z").stdout.split("\0"))
    arriving = [rel for rel in added.stdout.split("\0") if rel and rel not in tracked]
    return arriving, [rel for rel in arriving if os.path.lexists(project / rel)]


def refuse_overwrites(project: Path, present: list[str], force: bool) -> None:
    if present and not force:
        more = f" and {len(present) - 5} more" if len(present) > 5 else ""
        raise GitError(
            f"the template now writes {', '.join(present[:5])}{more}, which "
            f"{'exists' if len(present) == 1 else 'exist'} in {project} untracked or ignored; "
            "move it away, or pass --force to replace it"
        )


def _remove(project: Path, present: list[str]) -> None:
    for rel in present:
        path = project / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def merge_template(project: Path, message: str, force: bool = False) -> list[str]:
    """Merge the template branch; returns the conflicted files. A signal meanwhile restores the
    work tree and index as they were."""
    arriving, present = in_the_way(project, TEMPLATE_BRANCH)
    refuse_overwrites(project, present, force)
    _remove(project, present)  # only with force: the user asked for the template's files
    head = git(project, "rev-parse", "HEAD").stdout.strip()
    with signals_deferred() as deferral:
        try:
            merged = git(
                project,
                "merge",
                "--no-ff",
                "--no-edit",
                "-m",
                message,
                TEMPLATE_BRANCH,
                check=False,
            )
            if signal_pending():
                raise Interrupted()
        except BaseException as exc:
            _undo_merge(project, head, arriving)
            if not isinstance(exc, Interrupted):
                raise
            deferral.undone = True
            return []
    if merged.returncode == 0:
        return []
    conflicts = git(project, "diff", "--name-only", "--diff-filter=U").stdout.split()
    if not conflicts:
        detail = (merged.stderr or merged.stdout).strip().splitlines()
        raise GitError(f"git merge failed: {detail[-1] if detail else merged.returncode}")
    return conflicts


def _undo_merge(project: Path, head: str, arriving: list[str]) -> None:
    """Back to `head`: the index and work tree as before the merge, the files it added removed."""
    lock = project / ".git" / "index.lock"
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()
    git(project, "merge", "--abort", check=False)
    git(project, "reset", "--quiet", "--hard", head, check=False)
    for rel in arriving:
        with contextlib.suppress(OSError):
            (project / rel).unlink()
