"""Ask only what is still unknown, one small function per kind of question.

Every function reads with `click.prompt`, so tests drive them through CliRunner's input or a real
pseudo-terminal. Nothing here waits without a terminal: `require_terminal` refuses first.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import click

from .errors import NoTerminalError, ScaffoldError

if TYPE_CHECKING:
    from .decision import DecisionTable, Question, Recommendation
    from .templates import Template, Variable

HELP = "?"


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def require_terminal(missing: Sequence[str]) -> None:
    """Refuse to prompt when stdin is not a terminal (CI): say which flags answer instead."""
    if not stdin_is_terminal():
        raise NoTerminalError(
            f"stdin is not a terminal, so nothing can be asked (still unknown: {', '.join(missing)}); "
            "pass --no-input to take the defaults and the recommendation, or --answers FILE "
            "(with --framework and --set KEY=VALUE as needed)"
        )


def read_choice(
    label: str, options: Sequence[tuple[str, str]], default: str, help_text: str = ""
) -> str:
    """Numbered options; accepts a number, a value, or Enter for the default; `?` shows the help."""
    values = [value for value, _ in options]
    default_number = str(values.index(default) + 1)
    click.echo(f"\n{label}" + (f"  ({HELP} for why this is asked)" if help_text else ""))
    for number, (value, text) in enumerate(options, start=1):
        click.echo(f"  {number}) {text}" + ("" if text == value else f" [{value}]"))
    while True:
        answer = click.prompt("Choose", default=default_number, show_default=True).strip()
        if answer == HELP and help_text:
            click.echo(f"  {help_text}")
            continue
        if answer.isdigit() and 1 <= int(answer) <= len(values):
            return values[int(answer) - 1]
        if answer in values:
            return answer
        click.echo(
            f"  Type a number from 1 to {len(values)}" + (f", or {HELP}" if help_text else "")
        )


def read_text(label: str, default: str, check: Callable[[str], object] | None = None) -> str:
    """Free text; `check` raises a ScaffoldError whose message is shown before asking again."""
    while True:
        answer = click.prompt(label, default=default, show_default=True).strip()
        try:
            if check is not None:
                check(answer)
        except ScaffoldError as exc:
            click.echo(f"  {exc.message}")
            continue
        return answer


def ask_question(question: Question) -> str:
    options = [(c.value, c.label) for c in question.choices]
    return read_choice(question.prompt, options, question.default, question.help)


def ask_decision(table: DecisionTable, known: Mapping[str, str]) -> dict[str, str]:
    """Ask the decision questions that `known` does not answer."""
    answers = dict(known)
    for question in table.questions:
        if question.key not in answers:
            answers[question.key] = ask_question(question)
    return answers


def choose_framework(rec: Recommendation, table: DecisionTable) -> str:
    """Offer the ranking with the recommended framework as the default; any framework may be picked."""
    options = [
        (
            score.framework,
            f"{table.frameworks[score.framework]} ({score.total} point{'' if score.total == 1 else 's'})",
        )
        for score in rec.ranking
    ]
    return read_choice("Framework (Enter accepts the recommendation)", options, rec.winner)


def ask_task(domain_label: str, tasks: Sequence[str]) -> str:
    """The one extra question of a domain with several starters; Enter takes its usual one."""
    from .tasks import TASK_LABELS

    options = [(task, TASK_LABELS.get(task, task)) for task in tasks]
    return read_choice(f"{domain_label}: which starter?", options, tasks[0])


def ask_variable(variable: Variable, check: Callable[[str], object] | None = None) -> str:
    if variable.is_choice:
        options = [(choice, choice) for choice in variable.choices]
        return read_choice(variable.label, options, str(variable.default))
    return read_text(variable.label, str(variable.default), check)


def ask_variables(
    template: Template,
    known: Mapping[str, str],
    checks: Mapping[str, Callable[[str], object]] | None = None,
) -> dict[str, str]:
    """Ask the template's own few questions (its `_ask` list) that `known` does not answer."""
    answers = dict(known)
    for name in template.asks:
        variable = template.variables.get(name)
        if variable is not None and name not in answers:
            answers[name] = ask_variable(variable, (checks or {}).get(name))
    return answers
