"""Find the packaged Cookiecutter templates and read what each one asks."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import TemplateError

# Variables scaffold fills itself (from the project name, the host, the decision), never asks.
DERIVED = ("project_slug", "package_name")
HOST_FILLED = ("python_version", "accelerator")
MAX_CONFIG_BYTES = 8 * 2**20


@dataclass(frozen=True)
class Variable:
    name: str
    default: Any  # the first choice for choice variables
    choices: tuple[str, ...] = ()
    label: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    version: str
    description: str
    variables: dict[str, Variable] = field(default_factory=dict)
    asks: tuple[str, ...] = ()
    source: str = ""  # where a team template came from (a path or git URL); "" for packaged ones
    checkout: str = ""  # the git ref of a team template from a URL
    trusted: bool = False  # a team template opened with --trust

    @property
    def sandboxed(self) -> bool:
        """A team template without --trust: rendered in the sandbox, never by Cookiecutter."""
        return bool(self.source) and not self.trusted


def iter_tree(root: Path) -> Iterator[Path]:
    """Every path under `root`, never following a symbolic link (`Path.rglob` may)."""
    for top, dirs, files in os.walk(root):
        for name in sorted(dirs) + sorted(files):
            yield Path(top, name)


def templates_root() -> Path:
    """$SCAFFOLD_TEMPLATES if set (a directory of templates), else the installed or checked-out ones."""
    override = os.environ.get("SCAFFOLD_TEMPLATES")
    if override:
        return Path(override)
    installed = Path(__file__).with_name("templates")
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "templates"


def load_template(path: Path, name: str | None = None) -> Template:
    """Read a template directory's `cookiecutter.json`."""
    config = path / "cookiecutter.json"
    if config.is_symlink():
        raise TemplateError(
            f"{config} is a link; a template's cookiecutter.json must be a file in it"
        )
    if config.exists() and not config.is_file():
        raise TemplateError(f"{config} is not a regular file")
    if config.is_file() and config.stat().st_size > MAX_CONFIG_BYTES:
        raise TemplateError(f"{config} is larger than {MAX_CONFIG_BYTES // 2**20} MiB")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(
            f"{path} is not a Cookiecutter template: it has no cookiecutter.json"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TemplateError(f"cannot read {config}: {exc}") from None
    except RecursionError:
        raise TemplateError(f"cannot read {config}: it is nested too deeply") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{config} must hold a JSON object")
    labels = data.get("__prompts__") if isinstance(data.get("__prompts__"), dict) else {}
    ask = data.get("_ask")
    variables = {}
    for key, value in data.items():
        if key.startswith("_"):
            continue
        choices = tuple(str(v) for v in value) if isinstance(value, list) else ()
        default = choices[0] if choices else value
        label = labels.get(key) if isinstance(labels.get(key), str) else key.replace("_", " ")
        variables[key] = Variable(key, default, choices, label)
    return Template(
        name=name or path.name,
        path=path,
        version=str(data.get("_template_version", "0")),
        description=str(data.get("_description", "")),
        variables=variables,
        asks=tuple(str(a) for a in ask) if isinstance(ask, list) else ("project_name",),
    )


def list_templates() -> tuple[Template, ...]:
    root = templates_root()
    if not root.is_dir():
        raise TemplateError(f"template directory {root} does not exist")
    return tuple(
        load_template(path)
        for path in sorted(root.iterdir())
        if path.is_dir()
        and not path.name.startswith("_")
        and (path / "cookiecutter.json").is_file()
    )


def get_template(name: str) -> Template:
    for template in list_templates():
        if template.name == name:
            return template
    known = ", ".join(t.name for t in list_templates()) or "none installed"
    raise TemplateError(f"no template named {name!r}; available: {known}")
