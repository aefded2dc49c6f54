"""Describe what a template asks, and the JSON Schema of an answers file, for teams to validate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .answers import FRAMEWORKS
from .decision import DecisionTable
from .tasks import DOMAIN_TASKS, TASK_VARIABLE
from .templates import DERIVED, Template, Variable


def describe_variable(variable: Variable) -> dict[str, Any]:
    derived = variable.name in DERIVED
    described: dict[str, Any] = {
        "name": variable.name,
        "label": variable.label,
        "type": "choice" if variable.is_choice else "text",
        "default": "derived from project_name" if derived else variable.default,
    }
    if variable.is_choice:
        described["choices"] = list(variable.choices)
    if variable.name == TASK_VARIABLE:  # the decision's domain answer picks it (see tasks.py)
        offered = {d: [t for t in ts if t in variable.choices] for d, ts in DOMAIN_TASKS.items()}
        described["from_domain"] = {d: ts[0] for d, ts in offered.items() if ts}
        several = {d: ts for d, ts in offered.items() if len(ts) > 1}
        if several:  # asked in one more question at a terminal; the first without one
            described["asked_from_domain"] = several
    return described


def describe(templates: Sequence[Template], table: DecisionTable) -> dict[str, Any]:
    return {
        "decision": [
            {
                "name": q.key,
                "label": q.prompt,
                "help": q.help,
                "type": "choice",
                "default": q.default,
                "choices": list(q.values),
            }
            for q in table.questions
        ],
        "templates": [
            {
                "name": t.name,
                "version": t.version,
                "asks": list(t.asks),
                "variables": [describe_variable(v) for v in t.variables.values()],
            }
            for t in templates
        ],
        "answers_schema": answers_schema(templates, table),
    }


def _variable_schema(variables: list[Variable]) -> dict[str, Any]:
    choices = sorted({c for v in variables for c in v.choices})
    schema: dict[str, Any] = {"type": "string", "description": variables[0].label}
    if choices and all(v.is_choice for v in variables):
        schema["enum"] = choices
    return schema


def answers_schema(templates: Sequence[Template], table: DecisionTable) -> dict[str, Any]:
    """A JSON Schema (2020-12) for `--answers` files covering the given templates."""
    by_name: dict[str, list[Variable]] = {}
    for template in templates:
        for name, variable in template.variables.items():
            by_name.setdefault(name, []).append(variable)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "scaffold answers file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "framework": {"enum": list(FRAMEWORKS)},
            "decision": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    q.key: {"enum": list(q.values), "default": q.default, "description": q.prompt}
                    for q in table.questions
                },
            },
            "variables": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: _variable_schema(vs) for name, vs in sorted(by_name.items())},
            },
        },
    }
