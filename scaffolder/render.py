"""The render gate: two ways to render, one way in.

Packaged templates, and team templates under `--trust`, render with Cookiecutter's own API; any other
team template renders in the sandbox (`sandbox.py`), which runs nothing. Both take only
`CheckedAnswers`, and what either wrote is checked to stay inside the project before it is used.
Only this module imports cookiecutter, and only when a project is rendered.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .answers import JINJA_SYNTAX
from .checked import CheckedAnswers
from .errors import TemplateError
from .templates import Template, iter_tree


def render(template: Template, answers: CheckedAnswers, into: Path) -> tuple[Path, dict[str, Any]]:
    """Render `template` into `into/<project>`; returns the project and the full context."""
    if not isinstance(answers, CheckedAnswers):
        raise TypeError("render() takes only answers built by checked.check_answers")
    answers.for_template(template)
    if not (template.path / "cookiecutter.json").is_file():
        raise TemplateError(f"template directory {template.path} is missing or incomplete")
    if template.sandboxed:
        from . import sandbox

        project, context = sandbox.render(template, answers, into)
    else:
        project, context = _cookiecutter(template, answers, into)
    check_contained(project)
    drop_bytecode(project)
    return project, context


def drop_bytecode(project: Path) -> None:
    """Remove Python byte-code from a render. pip byte-compiles the packaged templates' .py files
    when scaffold is installed from a wheel, and Cookiecutter copies every file of a template; but
    byte-code is never template content (Python writes its own), so no project receives it."""
    for path in sorted(iter_tree(project), key=lambda p: len(p.parts), reverse=True):
        if path.name == "__pycache__" and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.suffix in (".pyc", ".pyo") and path.is_file():
            path.unlink()


def check_contained(project: Path) -> None:
    """Refuse a render holding a link that leaves the project, or a FIFO, device or socket."""
    root = project.resolve()
    for path in iter_tree(project):
        mode = path.lstat().st_mode
        rel = path.relative_to(project)
        if stat.S_ISLNK(mode):
            target = (path.parent / os.readlink(path)).resolve()
            if target != root and root not in target.parents:
                raise TemplateError(f"{rel} is a link to {target}, outside the project; refused")
        elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise TemplateError(f"{rel} is not a regular file (a FIFO, device or socket); refused")


def _cookiecutter(
    template: Template, answers: CheckedAnswers, into: Path
) -> tuple[Path, dict[str, Any]]:
    # Cookiecutter renders the absolute output path as Jinja: render where the path holds none.
    if JINJA_SYNTAX.search(str(into.absolute())):
        with tempfile.TemporaryDirectory(prefix="scaffold-render-") as plain:
            project, context = _cookiecutter(template, answers, Path(plain))
            return Path(shutil.move(str(project), str(into / project.name))), context
    tmp = into / ".tmp"  # cookiecutter leaves rendered hook scripts (they hold answers) in temp
    tmp.mkdir()
    with _hook_stderr() as hook_error, _temp_dir(tmp):
        project = _run_cookiecutter(template, answers, into, hook_error)
    replay = into / ".replay" / f"{template.path.name}.json"
    try:
        context = json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]
    except (OSError, ValueError, KeyError):
        context = dict(answers)
    return project, context


def _run_cookiecutter(template: Template, answers: CheckedAnswers, into: Path, hook_error) -> Path:
    import jinja2
    from cookiecutter.exceptions import (
        CookiecutterException,
        FailedHookException,
        UndefinedVariableInTemplate,
    )
    from cookiecutter.main import cookiecutter

    logging.getLogger("cookiecutter").addHandler(logging.NullHandler())
    from .sandbox import failure

    try:
        return Path(
            cookiecutter(
                str(template.path),
                no_input=True,
                extra_context=json.loads(json.dumps(dict(answers))),
                output_dir=str(into),
                # The user's ~/.cookiecutterrc must not change what scaffold renders, and replay
                # files stay inside the staging directory.
                default_config={
                    "replay_dir": str(into / ".replay"),
                    "cookiecutters_dir": str(into),
                },
                accept_hooks=True,
            )
        )
    except FailedHookException as exc:
        last = hook_error()
        detail = f"{exc}: {last}" if last else str(exc)
        raise TemplateError(
            f"template {template.name}: a hook refused the answers ({detail})"
        ) from None
    except jinja2.TemplateError as exc:  # before OSError: a missing include is an IOError
        raise _jinja_failure(template, exc, failure) from None
    except UndefinedVariableInTemplate as exc:
        raise TemplateError(
            f"template {template.name} failed to render: {exc.message}: {exc.error.message}"
        ) from None
    except CookiecutterException as exc:
        raise TemplateError(f"template {template.name} failed to render: {exc}") from None
    except ValueError as exc:  # cookiecutter's own check of choice values
        raise TemplateError(f"template {template.name}: {exc}") from None
    except OSError:
        raise
    except Exception as exc:  # an error raised inside the template, such as {{ 1/0 }}
        raise TemplateError(
            f"template {template.name} failed to render: {type(exc).__name__}: {exc}"
        ) from None


def _jinja_failure(template: Template, exc: Exception, failure) -> TemplateError:
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "a file"
    if template.path.as_posix() in str(where):
        where = os.path.relpath(str(where), template.path)
    return TemplateError(
        f"template {template.name} failed to render: {failure(where, exc).message}"
    )


@contextlib.contextmanager
def _temp_dir(path: Path) -> Iterator[None]:
    previous = tempfile.tempdir
    tempfile.tempdir = str(path)
    try:
        yield
    finally:
        tempfile.tempdir = previous


@contextlib.contextmanager
def _hook_stderr() -> Iterator[Any]:
    """Hold what hooks write to stderr: its last line explains a failure; otherwise pass it on."""
    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)

        def last_line() -> str:
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").strip().splitlines()
            return lines[-1].strip() if lines else ""

        failed = False
        try:
            yield last_line
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if not failed:
                capture.seek(0)
                sys.stderr.write(capture.read().decode("utf-8", "replace"))
