"""The starter task a project trains for, from the decision's domain answer.

A template offers its tasks as the choice variable `task`; the domain answer picks its default and
`--set task=...` overrides it. A domain without a starter of its own gets the template's default
task, and the user is told so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .templates import Template

TASK_VARIABLE = "task"
DOMAIN_TASKS = {
    "vision": "image-classification",
    "language": "text-classification",
    "tabular-other": "tabular",
}


@dataclass(frozen=True)
class TaskChoice:
    task: str | None  # None: the template has no tasks, or there is no domain answer
    note: str | None = None  # said to the user when the domain has no starter of its own


def task_for(template: Template, domain: str | None, domain_label: str = "") -> TaskChoice:
    variable = template.variables.get(TASK_VARIABLE)
    if variable is None or not variable.is_choice or domain is None:
        return TaskChoice(None)
    wanted = DOMAIN_TASKS.get(domain)
    if wanted in variable.choices:
        return TaskChoice(wanted)
    fallback = str(variable.default)
    others = ", ".join(c for c in variable.choices if c != fallback)
    return TaskChoice(
        fallback,
        f"{domain_label or domain} has no starter of its own yet: writing the {fallback} "
        f"starter (others: --set task={others.replace(', ', ' or ')})",
    )
