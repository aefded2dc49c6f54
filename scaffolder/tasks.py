"""The starter task a project trains for, from the decision's domain answer.

A template offers its tasks as the choice variable `task`; the domain answer picks its default and
`--set task=...` overrides it. A domain with several tasks the template offers (language: a text
classifier or a language model) asks which in one more question, only then, and only at a terminal;
without one it takes the first. A domain without a starter of its own gets the template's default
task, and the user is told so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .templates import Template

TASK_VARIABLE = "task"
# Each domain's tasks, its usual one first.
DOMAIN_TASKS: dict[str, tuple[str, ...]] = {
    "vision": ("image-classification",),
    "language": ("text-classification", "language-model"),
    "speech": ("audio-classification",),
    "recommendation": ("recommendation",),
    "generative": ("generative",),
    "tabular-other": ("tabular",),
}
# How the extra question names a task; a task without a label is shown by its name.
TASK_LABELS = {
    "text-classification": "Classify texts (sentiment, topic, intent)",
    "language-model": "Generate text (a small language model trained from scratch or fine-tuned)",
}


@dataclass(frozen=True)
class TaskChoice:
    task: str | None  # None: the template has no tasks, or there is no domain answer
    note: str | None = None  # said to the user when the domain has no starter of its own
    # The domain's tasks this template offers, when there are several to choose between.
    options: tuple[str, ...] = ()


def offered_tasks(template: Template, domain: str) -> tuple[str, ...]:
    """The domain's tasks that the template has, in the domain's order."""
    variable = template.variables.get(TASK_VARIABLE)
    if variable is None or not variable.is_choice:
        return ()
    return tuple(t for t in DOMAIN_TASKS.get(domain, ()) if t in variable.choices)


def task_for(template: Template, domain: str | None, domain_label: str = "") -> TaskChoice:
    variable = template.variables.get(TASK_VARIABLE)
    if variable is None or not variable.is_choice or domain is None:
        return TaskChoice(None)
    offered = offered_tasks(template, domain)
    if offered:
        return TaskChoice(offered[0], options=offered if len(offered) > 1 else ())
    fallback = str(variable.default)
    others = [c for c in variable.choices if c != fallback]
    listed = " or ".join(others) if len(others) < 3 else f"{', '.join(others[:-1])} or {others[-1]}"
    return TaskChoice(
        fallback,
        f"{domain_label or domain} has no starter of its own yet: writing the {fallback} "
        f"starter (others: --set task={listed})",
    )
