"""Merge what is already known about a new project, and check every value before anything is written.

Precedence, highest first: command-line flags > answers file > template defaults (and the host's facts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AnswersFileError, InvalidAnswerError
from .host import Host
from .templates import HOST_FILLED, Template

if TYPE_CHECKING:
    from .checked import CheckedAnswers

FRAMEWORKS = ("pytorch", "tensorflow", "keras")
# Cookiecutter renders the values it is given as Jinja, outside any sandbox: such a value would run code.
JINJA_SYNTAX = re.compile(r"{{|}}|{%|%}|{#|#}")
FILE_KEYS = ("framework", "decision", "variables")
MAX_VALUE_LENGTH = 10_000


@dataclass
class Answers:
    """One layer of known answers: a framework, decision answers and template variables."""

    framework: str | None = None
    decision: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def over(self, lower: Answers) -> Answers:
        """This layer on top of `lower`: every value given here wins."""
        return Answers(
            framework=self.framework or lower.framework,
            decision={**lower.decision, **self.decision},
            variables={**lower.variables, **self.variables},
        )


def merge(layers: Iterable[Answers]) -> Answers:
    """Merge layers given highest precedence first."""
    merged = Answers()
    for layer in reversed(list(layers)):
        merged = layer.over(merged)
    return merged


def check_literal(key: str, value: str) -> str:
    """Refuse values that Cookiecutter would evaluate, or that are not text in this locale."""
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidAnswerError(
            f"value of {key!r} is {len(value)} characters long; at most {MAX_VALUE_LENGTH}"
        )
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise InvalidAnswerError(
            f"value of {key!r} holds bytes that are not text in this locale; "
            "run with a UTF-8 locale (e.g. LC_ALL=C.UTF-8)"
        )
    if JINJA_SYNTAX.search(value):
        raise InvalidAnswerError(
            f"value of {key!r} contains template syntax ({{{{ }}}}, {{% %}} or {{# #}}), "
            "which is refused so that no input can run code; remove the braces"
        )
    return value


def parse_assignment(item: str) -> tuple[str, str]:
    """Split `KEY=VALUE`; the value may contain '=' and may be empty."""
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
        raise InvalidAnswerError(
            f"{item!r} is not KEY=VALUE (e.g. --set project_name='My Project')"
        )
    return key, check_literal(key, value)


def _scalar(where: str, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return check_literal(key, str(value))
    raise AnswersFileError(f"{where}: {key!r} must be a text value, not {type(value).__name__}")


def answers_from_mapping(data: Any, where: str, extra_keys: tuple[str, ...] = ()) -> Answers:
    """Validate the shape `{framework?, decision: {...}?, variables: {...}?}` of a file's content."""
    allowed_keys = FILE_KEYS + extra_keys
    if not isinstance(data, Mapping):
        raise AnswersFileError(f"{where}: expected a mapping with keys {', '.join(allowed_keys)}")
    unknown = sorted(set(data) - set(allowed_keys))
    if unknown:
        raise AnswersFileError(
            f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed_keys)}"
        )
    framework = data.get("framework")
    if framework is not None and framework not in FRAMEWORKS:
        raise AnswersFileError(
            f"{where}: 'framework' is {framework!r}; choose one of: {', '.join(FRAMEWORKS)}"
        )
    sections = {}
    for section in ("decision", "variables"):
        values = data.get(section) or {}
        if not isinstance(values, Mapping):
            raise AnswersFileError(f"{where}: {section!r} must be a mapping of key: value")
        sections[section] = {str(k): _scalar(where, f"{section}.{k}", v) for k, v in values.items()}
    return Answers(framework, sections["decision"], sections["variables"])


def read_data_file(path: Path, what: str = "answers file") -> Any:
    """Parse a YAML, JSON or TOML file (by suffix; YAML otherwise) into plain data."""
    try:
        return _parse_data_file(path, what)
    except RecursionError:
        raise AnswersFileError(f"{path}: the {what} is nested too deeply") from None


def _parse_data_file(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AnswersFileError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise AnswersFileError(f"{what} {path} is not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise AnswersFileError(
                f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}"
            ) from None
    if suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise AnswersFileError(f"{path}: invalid TOML: {exc}") from None
    import yaml

    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise AnswersFileError(
            f"{path}: invalid YAML{at}: {getattr(exc, 'problem', exc)}"
        ) from None


def load_answers_file(path: Path) -> Answers:
    """Read an answers file: YAML, JSON or TOML."""
    return answers_from_mapping(read_data_file(path), str(path))


def check_variable(template: Template, key: str, value: str) -> str:
    """Refuse an unknown variable, a value outside its choices, and template syntax."""
    variable = template.variables.get(key)
    if variable is None:
        known = ", ".join(sorted(template.variables))
        raise InvalidAnswerError(
            f"unknown template variable {key!r} for {template.name}; known: {known}"
        )
    if variable.is_choice and value not in variable.choices:
        raise InvalidAnswerError(
            f"{value!r} is not allowed for {key!r}; choose one of: {', '.join(variable.choices)}"
        )
    return check_literal(key, value)


def check_variables(template: Template, values: Mapping[str, str]) -> None:
    for key, value in values.items():
        check_variable(template, key, value)


def host_defaults(template: Template, host: Host) -> dict[str, str]:
    """The host's facts as template values, where the template offers them."""
    facts = {"python_version": host.python_version, "accelerator": host.accelerator}
    values = {}
    for key in HOST_FILLED:
        variable = template.variables.get(key)
        if variable is not None and (not variable.is_choice or facts[key] in variable.choices):
            values[key] = facts[key]
    return values


def template_context(
    template: Template,
    variables: Mapping[str, str],
    host: Host,
    extra: Mapping[str, Any] | None = None,
) -> CheckedAnswers:
    """The complete, checked answers to render `template` with (its defaults fill the rest)."""
    from .checked import check_answers

    check_variables(template, variables)
    context = {**host_defaults(template, host), **variables}
    known = {k: v for k, v in context.items() if k in template.variables}
    return check_answers(template, {**known, **(extra or {})})
