"""Small helpers the tests share: build file trees inline, hash trees, run git and a real `scaffold`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MINIMAL_CONTEXT: dict[str, Any] = {
    "project_name": "Fixture Project",
    "project_slug": "{{ cookiecutter.project_name|slugify }}",
    "package_name": "{{ cookiecutter.project_slug|replace('-', '_') }}",
    "license": ["MIT", "Apache-2.0"],
    "python_version": ["3.11", "3.12"],
    "accelerator": ["cpu", "cuda", "mps"],
    "_template_version": "1.0.0",
    "_description": "a fixture template",
    "_ask": ["project_name", "license"],
    "_decision": {},
}


def build_file_tree(root: Path, spec: Mapping[str, str | bytes | Mapping]) -> Path:
    """Write `spec` (relative path -> text, bytes or a nested mapping) under `root`."""
    for name, content in spec.items():
        path = root / name
        if isinstance(content, Mapping):
            path.mkdir(parents=True, exist_ok=True)
            build_file_tree(path, content)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def fixture_template(
    root: Path,
    name: str = "pytorch",
    files: Mapping[str, Any] | None = None,
    hooks: Mapping[str, str] | None = None,
    context: Mapping[str, Any] | None = None,
) -> Path:
    """A minimal Cookiecutter template named `name` inside the templates root `root`."""
    template = root / name
    project = files or {
        "README.md": "# {{ cookiecutter.project_name }}\n\nLicence: {{ cookiecutter.license }}\n",
        "src": {
            "{{ cookiecutter.package_name }}": {
                "__init__.py": '"""{{ cookiecutter.project_name }}"""\n'
            }
        },
    }
    build_file_tree(
        template,
        {
            "cookiecutter.json": json.dumps({**MINIMAL_CONTEXT, **(context or {})}, indent=2),
            "{{cookiecutter.project_slug}}": project,
            **({"hooks": dict(hooks)} if hooks else {}),
        },
    )
    return template


def tree_digest(root: Path, skip: tuple[str, ...] = ()) -> str:
    """A hash of every path, mode and content under `root` ('absent' when it does not exist),
    leaving out paths under a top-level name in `skip` (such as ".git")."""
    if not root.exists():
        return "absent"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.relative_to(root).parts[0] in skip:
            continue
        info = path.lstat()
        digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
        digest.update(str(stat.S_IMODE(info.st_mode)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
        elif path.is_symlink():
            digest.update(os.readlink(path).encode())
    return digest.hexdigest()


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@x",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@x",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` with a fixed identity; fail the test if it fails."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def scaffold_command() -> list[str]:
    """The installed `scaffold` script beside this Python, or `python -P -m scaffolder` (never with
    the working directory on the import path)."""
    script = Path(sys.executable).with_name("scaffold")
    return [str(script)] if script.exists() else [sys.executable, "-P", "-m", "scaffolder"]


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a real `scaffold` run: its own HOME and TMPDIR under `tmp`, a marker path
    in HOSTILE_MARKER for payloads to touch, and no SCAFFOLD_ settings of the caller."""
    (tmp / "systmp").mkdir(exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCAFFOLD_")},
        **GIT_IDENTITY,
        "HOME": str(tmp / "home"),
        "TMPDIR": str(tmp / "systmp"),
        "SCAFFOLD_ACCELERATOR": "cpu",
        "HOSTILE_MARKER": str(tmp / "MARKER"),
        **extra,
    }


def run_real(
    tmp: Path, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*scaffold_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd or tmp,
        env=env_for(tmp, **env),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess, code: int = 1) -> str:
    shown = result.stdout + result.stderr
    assert result.returncode == code, shown
    assert "Traceback" not in shown and "internal error" not in shown, shown
    assert result.stderr.startswith("scaffold: ") and result.stderr.count("\n") == 1, shown
    assert len(result.stderr) < 1000
    return result.stderr


def build_wheel(dest: Path) -> Path:
    """Build scaffold's wheel from this checkout into `dest`, as `pip install .` would."""
    repo = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dest),
            str(repo),
        ],
        check=True,
    )
    (wheel,) = Path(dest).glob("scaffold_dl-*.whl")
    return wheel
