"""One `scaffold new` from known answers to a written project: decide, choose, ask, generate.

The CLI builds a `NewProject` from its flags and calls its steps in order; tests call them directly.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answers import Answers, check_literal, template_context
from .errors import InvalidAnswerError
from .generate import Plan
from .host import Host, detect
from .names import resolve_names
from .tasks import TASK_VARIABLE, TaskChoice, task_for
from .templates import Template, get_template, list_templates

if TYPE_CHECKING:
    from .decision import DecisionTable, Recommendation


def decision_record(table: DecisionTable, rec: Recommendation, chosen: str) -> dict[str, Any]:
    """What the generated README shows under "Why <framework>": answers, ranking, reasons."""
    from .decision import reasons_for

    answers = []
    for question in table.questions:
        value = rec.answers[question.key]
        label = next(c.label for c in question.choices if c.value == value)
        answers.append([question.prompt, label])
    return {
        "recommended": table.frameworks[rec.winner],
        "chosen": table.frameworks[chosen],
        "answers": answers,
        "ranking": [[table.frameworks[s.framework], s.total] for s in rec.ranking],
        "reasons": reasons_for(rec, rec.winner),
        # A project for several machines leads its README with the cluster launchers.
        "multi_node": rec.answers.get("distributed") == "multi-node",
    }


def _check_name(value: str) -> None:
    check_literal("project_name", value)
    resolve_names(value)


def _with_name_default(template: Template, known: Mapping[str, Any]) -> Template:
    """The template as the prompt shows it: a project name default that follows earlier answers
    (the task) is offered as it will be, not as the Jinja that makes it."""
    from .checked import project_name_default

    variable = template.variables.get("project_name")
    if variable is None or "project_name" in known:
        return template
    default = project_name_default(template, known)
    variables = {
        **template.variables,
        "project_name": dataclasses.replace(variable, default=default),
    }
    return dataclasses.replace(template, variables=variables)


@dataclass
class NewProject:
    merged: Answers
    interactive: bool = True
    allowed: tuple[str, ...] | None = None  # a team policy: the frameworks a project may use
    team_template: Template | None = None  # --template: a team's own template, no decision
    host: Host = field(default_factory=detect)
    recommendation: Recommendation | None = None
    template: Template | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # CheckedAnswers once chosen
    notes: list[str] = field(default_factory=list)  # one-line remarks for the user

    @functools.cached_property
    def table(self) -> DecisionTable:
        # Loaded on first use: `--framework X` alone never needs the decision table.
        from .decision import load_table

        return load_table()

    def start(self, has_answers_file: bool = False) -> None:
        """Check the known answers up front; refuse to prompt where there is no terminal."""
        variables = self.merged.variables
        templates = [self.team_template] if self.team_template else list_templates()
        known = {name for t in templates for name in t.variables}
        for key in variables:
            if key not in known:
                raise InvalidAnswerError(
                    f"unknown template variable {key!r}; known: {', '.join(sorted(known))}"
                )
        if "project_name" in variables:
            _check_name(variables["project_name"])
        from .prompts import require_terminal, stdin_is_terminal

        self._check_policy(self.merged.framework)

        if has_answers_file and not stdin_is_terminal():
            self.interactive = False  # an answers file in CI: what it leaves out takes the default
        if self.interactive:
            missing = self._missing()
            if missing:
                require_terminal(missing)

    def _check_policy(self, framework: str | None) -> None:
        if framework is not None and self.allowed is not None and framework not in self.allowed:
            raise InvalidAnswerError(
                f"framework {framework!r} is not allowed by the team preset; "
                f"allowed: {', '.join(self.allowed)}"
            )

    def _missing(self) -> list[str]:
        missing = []
        if self.team_template is not None:
            candidates = [self.team_template]
        elif self.merged.framework is None:
            missing += [q.key for q in self.table.questions if q.key not in self.merged.decision]
            missing.append("the framework")
            candidates = list_templates()
        else:
            candidates = [get_template(self.merged.framework)]
        asks = {name for t in candidates for name in t.asks}
        missing += sorted(asks - set(self.merged.variables))
        return missing

    def needs_decision(self) -> bool:
        return self.merged.framework is None and self.team_template is None

    def decide(self) -> Recommendation:
        answers = dict(self.merged.decision)
        if self.interactive:
            from .prompts import ask_decision

            answers = ask_decision(self.table, answers)
        from .decision import recommend

        self.recommendation = recommend(answers, self.table, self.allowed)
        return self.recommendation

    def choose(self) -> Template:
        """Pick the framework (flag, prompt or recommendation), then ask the template's questions."""
        framework = self.merged.framework
        if self.team_template is not None:
            self.template = self.team_template
            return self._fill(self.template)
        if framework is None:
            rec = self.recommendation or self.decide()
            framework = rec.winner
            if self.interactive:
                from .prompts import choose_framework

                framework = choose_framework(rec, self.table)
        elif self.merged.decision:
            from .decision import recommend

            self.recommendation = recommend(self.merged.decision, self.table, self.allowed)
        self.template = get_template(framework)
        extra = {}
        if self.recommendation is not None:
            extra["_decision"] = decision_record(self.table, self.recommendation, framework)
        self._fill(self.template, extra)
        return self.template

    def _fill(self, template: Template, extra: dict[str, Any] | None = None) -> Template:
        """Ask the template's own questions still open, then check every value."""
        variables = dict(self.merged.variables)
        if TASK_VARIABLE not in variables:
            choice = self._task(template)
            if choice.task is not None:
                variables[TASK_VARIABLE] = choice.task
            if choice.options and self.interactive:
                from .prompts import ask_task

                variables[TASK_VARIABLE] = ask_task(self._domain_label(), choice.options)
            if choice.note:
                self.notes.append(choice.note)
        if self.interactive:
            from .prompts import ask_variables

            asked = _with_name_default(template, variables)
            variables = ask_variables(asked, variables, {"project_name": _check_name})
        self.context = template_context(template, variables, self.host, extra)
        return template

    def _task(self, template: Template) -> TaskChoice:
        """The task the domain answer leads to, when the user answered the decision questions."""
        answers = self.recommendation.answers if self.recommendation else self.merged.decision
        domain = answers.get("domain")
        if domain is None:
            return TaskChoice(None)
        return task_for(template, domain, self._domain_label())

    def _domain_label(self) -> str:
        answers = self.recommendation.answers if self.recommendation else self.merged.decision
        domain = answers.get("domain", "")
        question = next(q for q in self.table.questions if q.key == "domain")
        return next((c.label for c in question.choices if c.value == domain), domain)

    def generate(self, output_dir: Path, dry_run: bool = False, force: bool = False) -> Plan:
        from . import generate

        assert self.template is not None, "choose() comes before generate()"
        run = generate.plan if dry_run else generate.generate
        return run(self.template, self.context, output_dir, force)

    def next_steps(self, plan: Plan) -> list[str]:
        """The three commands to run in the new project: enter it, install it, train."""
        target = os.path.relpath(plan.target) if plan.target.is_absolute() else str(plan.target)
        # A template says how to install itself for the chosen accelerator in `__next_install`.
        install = plan.extra.get("context", {}).get("__next_install") or "pip install -e '.[dev]'"
        return [
            f"cd {target}",
            f"python -m venv .venv && . .venv/bin/activate && {install}",
            f"{self.context['project_slug']} train",
        ]
