"""Small helpers the tests share: build file trees inline, hash trees, run the CLI in-process."""

from __future__ import annotations

import hashlib
import json
import os
import stat
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
