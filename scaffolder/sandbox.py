"""Render an untrusted Cookiecutter template in Jinja's sandbox: it runs nothing, sees nothing else.

This implements the part of the Cookiecutter format a template without code needs: the
`cookiecutter.json` context (choices, private `_` keys kept raw, `__` keys rendered), the
`{{cookiecutter.x}}` project directory, rendered file and directory names, `_copy_without_render`,
binary files copied as they are, `_jinja2_env_vars` (trim_blocks, lstrip_blocks), includes from the
project directory and the template's `templates/` directory, and Cookiecutter's filters (`slugify`,
`jsonify`) and globals (`random_ascii_string`, `uuid4`). It never imports from the template, never
runs a hook, follows no symbolic link, reads no FIFO or device, and every rendered name is one path
component inside the project. Hooks, `_extensions` and nested `templates` are refused here too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import random
import stat
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from slugify import slugify

from .checked import CheckedAnswers
from .errors import TemplateError
from .sources import code_it_runs
from .templates import Template

MAX_FILE_BYTES = 10 * 2**20  # one file, as read and as rendered
MAX_PROJECT_BYTES = 100 * 2**20  # everything one render writes
MAX_ENTRIES = 10_000  # files and directories
ENV_VARS = ("trim_blocks", "lstrip_blocks", "keep_trailing_newline")


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, also refusing `*` and `**` that would build huge values."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 1024:
            raise SecurityError(f"the power {right} is too large")
        if operator == "*":
            sized, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            sequence = isinstance(sized, str | list | tuple) and isinstance(count, int)
            if sequence and len(sized) * count > MAX_FILE_BYTES:
                raise SecurityError("the repeated value would be too large")
        return super().call_binop(context, operator, left, right)


class _TemplateLoader(jinja2.BaseLoader):
    """Includes from the given directories of the template only: regular files, no links."""

    def __init__(self, root: Path, search: tuple[Path, ...]) -> None:
        self.root, self.search = root, search

    def get_source(self, environment: jinja2.Environment, name: str) -> tuple[str, str, Any]:
        parts = name.replace("\\", "/").split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise jinja2.TemplateNotFound(name)
        for base in self.search:
            path = base.joinpath(*parts)
            if _plain_file_inside(self.root, path):
                data = _read_limited(path, name)
                return data.decode("utf-8", errors="replace"), str(path), lambda: True
        raise jinja2.TemplateNotFound(name)


def _plain_file_inside(root: Path, path: Path) -> bool:
    """`path` is a regular file under `root` with no symbolic link on the way."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        try:
            mode = current.lstat().st_mode
        except OSError:
            return False
        if stat.S_ISLNK(mode):
            return False
    return stat.S_ISREG(mode)


def _read_limited(path: Path, where: str) -> bytes:
    if path.lstat().st_size > MAX_FILE_BYTES:
        raise TemplateError(f"{where} is larger than {MAX_FILE_BYTES // 2**20} MiB; refused")
    return path.read_bytes()


def _random_ascii_string(length: int, punctuation: bool = False) -> str:
    if not 0 <= length <= 10_000:
        raise SecurityError("random_ascii_string length must be between 0 and 10000")
    chars = string.ascii_letters + (string.punctuation if punctuation else "")
    return "".join(random.choice(chars) for _ in range(length))


def environment(config: Mapping[str, Any], root: Path, project_dir: Path) -> _Sandbox:
    options = config.get("_jinja2_env_vars") or {}
    if not isinstance(options, Mapping):
        raise TemplateError("cookiecutter.json: _jinja2_env_vars must be an object")
    chosen = {k: bool(options[k]) for k in ENV_VARS if k in options}
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=chosen.pop("keep_trailing_newline", True),
        autoescape=False,
        loader=_TemplateLoader(root, (project_dir, root / "templates")),
        **chosen,
    )
    env.filters["slugify"] = slugify
    env.filters["jsonify"] = lambda obj, indent=4: json.dumps(obj, sort_keys=True, indent=indent)
    env.globals["random_ascii_string"] = _random_ascii_string
    env.globals["uuid4"] = lambda: str(uuid.uuid4())
    return env


def failure(where: str, exc: BaseException) -> TemplateError:
    """One line that says which file failed and why."""
    if isinstance(exc, TemplateError):
        return exc
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"{where}, line {exc.lineno}: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"{where}: includes {exc.name!r}, which is not a file of the template")
    if isinstance(exc, SecurityError):
        return TemplateError(f"{where}: refused by the sandbox (nothing ran): {exc}")
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f"{where}: {exc.message}")
    if isinstance(exc, RecursionError):
        return TemplateError(f"{where}: includes or calls itself without end")
    return TemplateError(f"{where}: {type(exc).__name__}: {exc}")


def _render(env: jinja2.Environment, source: str, context: Mapping[str, Any], where: str) -> str:
    """Render `source`, stopping as soon as its output passes the size limit of one file."""
    chunks, size = [], 0
    try:
        for chunk in env.from_string(source).generate(cookiecutter=context):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise TemplateError(f"{where} renders to more than {MAX_FILE_BYTES // 2**20} MiB")
            chunks.append(chunk)
    except Exception as exc:  # any error inside the template is the template's fault
        raise failure(where, exc) from None
    return "".join(chunks)


def _plain(value: Any) -> Any:
    """Checked answers as plain JSON-like data for Jinja and the record."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _render_value(env: jinja2.Environment, raw: Any, ctx: Mapping[str, Any], where: str) -> Any:
    if isinstance(raw, Mapping):
        return {k: _render_value(env, v, ctx, f"{where}.{k}") for k, v in raw.items()}
    if isinstance(raw, list):
        return [_render_value(env, v, ctx, where) for v in raw]
    if raw is None or isinstance(raw, bool):
        return raw
    return _render(env, str(raw), ctx, f"cookiecutter.json {where}")


def build_context(
    env: jinja2.Environment, config: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Cookiecutter's context without prompting: answers as given (data, never rendered), every
    other default rendered in the sandbox, private `_` keys kept as written."""
    context: dict[str, Any] = {}
    for key, raw in config.items():
        if key in answers:
            context[key] = _plain(answers[key])
        elif key.startswith("_") and not key.startswith("__"):
            context[key] = raw
        elif isinstance(raw, list):  # a choice: its first value is the default
            context[key] = _render_value(env, raw[0], context, key) if raw else ""
        else:
            context[key] = _render_value(env, raw, context, key)
    for key, value in answers.items():
        context.setdefault(key, _plain(value))
    return context


@dataclass
class _Output:
    """What one render writes, counted against the limits before anything is written."""

    entries: list[tuple[tuple[str, ...], bytes | None, int]] = field(default_factory=list)
    total: int = 0

    def add(self, parts: tuple[str, ...], data: bytes | None, mode: int, where: str) -> None:
        self.total += len(data or b"")
        if data is not None and len(data) > MAX_FILE_BYTES:
            raise TemplateError(f"{where} renders to more than {MAX_FILE_BYTES // 2**20} MiB")
        if self.total > MAX_PROJECT_BYTES:
            raise TemplateError(f"the project would exceed {MAX_PROJECT_BYTES // 2**20} MiB")
        if len(self.entries) >= MAX_ENTRIES:
            raise TemplateError(f"the template holds more than {MAX_ENTRIES} files")
        self.entries.append((parts, data, mode))


def _name(env: jinja2.Environment, name: str, ctx: Mapping[str, Any], where: str) -> str:
    rendered = _render(env, name, ctx, where) if "{" in name else name
    bad = not rendered or rendered in (".", "..") or any(c in rendered for c in "/\\\0")
    if bad or len(rendered.encode("utf-8", "surrogateescape")) > 255:
        shown = rendered if len(rendered) <= 80 else rendered[:80] + "..."
        raise TemplateError(
            f"{where}: the name renders to {shown!r}, which is not one file name inside the project"
        )
    return rendered


def _file(entry: os.DirEntry[str], where: str, copy_only: bool, env: Any, ctx: Any) -> bytes:
    data = _read_limited(Path(entry.path), where)
    if copy_only or b"\0" in data[:8192]:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # not text: copied as it is
    if "\r\n" in text:
        env = env.overlay(newline_sequence="\r\n")
    return _render(env, text, ctx, where).encode("utf-8")


def _walk(src: Path, rel: str, out: tuple[str, ...], job: _Job) -> None:
    with os.scandir(src) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        where = f"{rel}/{entry.name}" if rel else entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            raise TemplateError(
                f"{where} is a symbolic link; an untrusted template may not hold links"
            )
        name = _name(job.env, entry.name, job.context, where)
        if stat.S_ISDIR(mode):
            job.output.add((*out, name), None, 0o755, where)
            _walk(Path(entry.path), where, (*out, name), job)
        elif stat.S_ISREG(mode):
            copy_only = any(fnmatch.fnmatch(where, p) for p in job.copy_only)
            data = _file(entry, where, copy_only, job.env, job.context)
            job.output.add((*out, name), data, 0o755 if mode & 0o111 else 0o644, where)
        else:
            raise TemplateError(f"{where} is not a regular file (a FIFO, device or socket)")


@dataclass
class _Job:
    env: jinja2.Environment
    context: dict[str, Any]
    copy_only: tuple[str, ...]
    output: _Output = field(default_factory=_Output)


def _project_dir(root: Path) -> Path:
    candidates = [
        p
        for p in sorted(root.iterdir())
        if "cookiecutter" in p.name and "{{" in p.name and "}}" in p.name
    ]
    if not candidates or candidates[0].is_symlink() or not candidates[0].is_dir():
        raise TemplateError(f"{root} has no {{{{cookiecutter.…}}}} project directory")
    return candidates[0]


def render_default(template: Template, key: str, known: Mapping[str, Any]) -> str:
    """The default of `key` when it refers to earlier answers (a project name that follows the
    chosen task), rendered here with those answers, for any template: it runs nothing. Scaffold
    checks the result like an answer before it names anything."""
    root = template.path
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    earlier: dict[str, Any] = {}
    for name, raw in config.items():
        earlier[name] = raw
        if name == key:
            break
    env = environment(config, root, _project_dir(root))
    given = {k: v for k, v in known.items() if k in earlier and k != key}
    return str(build_context(env, earlier, given)[key])


def render(template: Template, answers: CheckedAnswers, into: Path) -> tuple[Path, dict]:
    """Render `template` into `into/<project dir>`; returns that directory and the full context."""
    answers.for_template(template)
    root = template.path
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    refused = code_it_runs(template)
    if refused:  # sources.require_trust refused it already; this renderer never runs code
        raise TemplateError(f"template {template.name} runs code ({', '.join(refused)}); refused")
    project_dir = _project_dir(root)
    env = environment(config, root, project_dir)
    context = build_context(env, config, answers)
    context["_template"] = template.source
    copy_only = config.get("_copy_without_render") or ()
    job = _Job(env, context, tuple(str(p) for p in copy_only))
    project_name = _name(env, project_dir.name, context, project_dir.name)
    _walk(project_dir, "", (), job)
    return _write(into / project_name, job.output), context


def _write(project: Path, output: _Output) -> Path:
    """Create what was rendered; no link is followed and no file is written twice."""
    project.mkdir()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for parts, data, mode in output.entries:
        path = project.joinpath(*parts)
        try:
            if data is None:
                path.mkdir()
                continue
            fd = os.open(path, flags, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except FileExistsError:
            raise TemplateError(
                f"two entries of the template render to the same name {'/'.join(parts)!r}"
            ) from None
    return project
