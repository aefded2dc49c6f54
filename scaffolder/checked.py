"""The one way into the renderer: answers that passed every check, bound to their template.

`new`, `update`, `update --set` and the answers read back from a project's `.scaffold.json` all end
here. `check_answers` is the only code that builds a `CheckedAnswers`, and both renderers (Cookiecutter's
and the sandbox) refuse anything else, so no path to rendering can skip the checks: known variables,
choices, no Jinja syntax, no control characters, valid names, and values that land in file names stay
one path component.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .answers import JINJA_SYNTAX, check_literal, check_variable
from .errors import InvalidAnswerError, TemplateError
from .names import resolve_names
from .templates import Template, iter_tree

_KEY = object()  # only check_answers holds it
MAX_DEPTH = 8  # nesting of a structured value such as `_decision`
_PATH_VARIABLE = re.compile(r"cookiecutter\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_UNSAFE_IN_NAME = re.compile(r"[/\\\x00]|^\.{1,2}$")
STRUCTURED = ("_decision",)  # scaffold's own structured answers (the decision record)
NAMES = ("project_name", "project_slug", "package_name")  # checked by names.py


@dataclass(frozen=True)
class CheckedAnswers(Mapping[str, Any]):
    """Answers for one template that went through `check_answers`; read-only."""

    template_path: Path
    values: Mapping[str, Any]
    key: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.key is not _KEY:
            raise TypeError("CheckedAnswers are built only by scaffolder.checked.check_answers")

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def for_template(self, template: Template) -> CheckedAnswers:
        """These answers, refused unless they were checked against `template`."""
        if self.template_path != template.path:
            raise TypeError(f"answers were checked for {self.template_path}, not {template.path}")
        return self


def _no_control(key: str, value: str) -> str:
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise InvalidAnswerError(f"value of {key!r} contains control characters; use plain text")
    return value


def _check_structured(key: str, value: Any, depth: int = 0) -> Any:
    """A JSON-like value (scaffold's decision record) with no Jinja in any of its texts."""
    if depth > MAX_DEPTH:
        raise InvalidAnswerError(f"value of {key!r} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return check_literal(key, value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_check_structured(key, v, depth + 1) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _check_structured(key, v, depth + 1) for k, v in value.items()}
    raise InvalidAnswerError(f"value of {key!r} is a {type(value).__name__}, not text")


def path_variables(template: Template) -> frozenset[str]:
    """The variables a template uses in its file and directory names."""
    names: set[str] = set()
    for path in iter_tree(template.path):
        if "cookiecutter" in path.name:
            names.update(_PATH_VARIABLE.findall(path.name))
    return frozenset(names)


def _check_value(template: Template, key: str, value: Any, in_paths: frozenset[str]) -> Any:
    if key in STRUCTURED:
        return _check_structured(key, value)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if not isinstance(value, str | int | float):
        raise InvalidAnswerError(f"value of {key!r} is a {type(value).__name__}, not text")
    value = check_variable(template, key, _no_control(key, str(value)))
    if (
        key in in_paths
        and key not in NAMES
        and (_UNSAFE_IN_NAME.search(value) or not value.strip())
    ):
        raise InvalidAnswerError(
            f"value of {key!r} names files and directories, so it must be one name "
            f"without '/', '\\' or '..'; got {value!r}"
        )
    return value


def project_name_default(template: Template, known: Mapping[str, Any]) -> str:
    """The template's default name; one that follows earlier answers (`{% if cookiecutter.task
    ... %}`) is rendered in the sandbox with them."""
    default = str(template.variables["project_name"].default)
    if JINJA_SYNTAX.search(default):
        from .sandbox import render_default

        return render_default(template, "project_name", known)
    return default


def check_answers(template: Template, values: Mapping[str, Any]) -> CheckedAnswers:
    """Every value checked against `template`; the names derived and checked by names.py."""
    if "project_name" not in template.variables:
        raise TemplateError(
            f"template {template.name} has no project_name variable in its cookiecutter.json; "
            "scaffold names the project from it"
        )
    in_paths = path_variables(template)
    checked = {key: _check_value(template, key, v, in_paths) for key, v in values.items()}
    if "project_name" not in checked:  # the template's default is checked like any answer
        default = project_name_default(template, checked)
        checked["project_name"] = _check_value(template, "project_name", default, in_paths)
    names = resolve_names(
        checked["project_name"],
        checked.get("project_slug"),
        checked.get("package_name"),
    )
    checked.update(
        project_name=names.project_name,
        project_slug=names.project_slug,
        package_name=names.package_name,
    )
    return CheckedAnswers(template.path, MappingProxyType(checked), _KEY)
