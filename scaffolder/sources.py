"""Team templates: a local directory or a git URL, with a trust check before any of their code runs.

A git URL or ref is checked before git sees it, so that neither can smuggle an option or a transport
into the command (cookiecutter's CVE-2022-24065 was `--config` injected through a ref).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import TemplateError, UsageError
from .templates import Template, load_template

HOOK_NAMES = ("pre_prompt", "pre_gen_project", "post_gen_project")
_URL = re.compile(r"(?:https|ssh|git|file)://\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+")
_SCP_LIKE = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+")


def is_git_url(spec: str) -> bool:
    return "://" in spec or bool(_SCP_LIKE.fullmatch(spec))


def check_git_url(url: str) -> str:
    if url.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UsageError(f"template URL {url!r} is not a git URL")
    if not _URL.fullmatch(url):
        raise UsageError(
            f"template URL {url!r} must use https://, ssh://, git://, file:// or user@host:path"
        )
    return url


def check_ref(ref: str) -> str:
    """A branch, tag or commit name that git accepts and that cannot be read as an option."""
    if ref.startswith("-") or not re.fullmatch(r"[A-Za-z0-9._/@^~-]+", ref) or ".." in ref:
        raise UsageError(f"git ref {ref!r} is not a valid branch, tag or commit name")
    return ref


def code_it_runs(template: Template) -> list[str]:
    """The hooks and Jinja extensions a template would run, as a user should see them."""
    runs = []
    hooks = template.path / "hooks"
    if hooks.is_dir():
        runs += [f"hooks/{p.name}" for p in sorted(hooks.iterdir()) if p.stem in HOOK_NAMES]
    config = json.loads((template.path / "cookiecutter.json").read_text(encoding="utf-8"))
    extensions = config.get("_extensions") or []
    runs += [f"Jinja extension {name}" for name in extensions if isinstance(name, str)]
    if extensions and not isinstance(extensions, list):
        runs.append("Jinja extensions (_extensions)")
    if config.get("templates"):
        runs.append("nested templates (the 'templates' key), with their own hooks")
    return runs


def require_trust(template: Template, trust: bool) -> None:
    runs = code_it_runs(template)
    if runs and not trust:
        raise TemplateError(
            f"template {template.source} runs code ({', '.join(runs)}); read it, then pass --trust "
            "to run it"
        )


def _git(*args: str, cwd: Path | None = None) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    result = subprocess.run(
        ["git", "-c", "protocol.ext.allow=never", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise TemplateError(f"git {args[0]} failed: {detail[-1] if detail else result.returncode}")


@contextlib.contextmanager
def open_template(
    spec: str, checkout: str | None = None, trust: bool = False
) -> Iterator[Template]:
    """The team template at `spec` (a directory or a git URL), refused if it runs untrusted code."""
    if checkout is not None:
        check_ref(checkout)
    if is_git_url(spec):
        url = check_git_url(spec)
        with tempfile.TemporaryDirectory(prefix="scaffold-template-") as tmp:
            clone = Path(tmp) / "template"
            _git("clone", "--quiet", "--", url, str(clone))
            if checkout:
                _git("checkout", "--quiet", "--detach", _commit_of(clone, checkout), cwd=clone)
            template = _loaded(clone, url, checkout or "", trust)
            require_trust(template, trust)
            yield template
        return
    if checkout is not None:
        raise UsageError("--checkout applies only to a git URL template")
    path = Path(spec).expanduser().resolve()
    if not path.is_dir():
        raise TemplateError(f"template directory {spec} does not exist")
    template = _loaded(path, str(path), "", trust)
    require_trust(template, trust)
    yield template


def _commit_of(clone: Path, ref: str) -> str:
    """The commit a branch, tag (which may hold '/') or SHA of the clone names."""
    for candidate in (f"refs/tags/{ref}", f"refs/remotes/origin/{ref}", ref):
        found = subprocess.run(
            [
                "git",
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{candidate}^{{commit}}",
            ],
            cwd=clone,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if found.returncode == 0:
            return found.stdout.strip()
    raise TemplateError(f"the template repository has no branch, tag or commit {ref!r}")


def _loaded(path: Path, source: str, checkout: str, trust: bool) -> Template:
    from dataclasses import replace

    return replace(load_template(path), source=source, checkout=checkout, trusted=trust)


def reopen(source: str, checkout: str, trust: bool) -> contextlib.AbstractContextManager[Template]:
    """Open a recorded team template again (for `check` and `update`). Records made before the
    ref was kept apart hold `URL@ref`, which splits back into both."""
    url, _, ref = source.rpartition("@")
    if not checkout and url and is_git_url(url) and "/" not in ref and "://" in url:
        return open_template(url, ref, trust)
    return open_template(source, checkout or None, trust)
