"""The `scaffold` command: parse flags, call the core, print. Every error becomes one line here.

Commands import what they need inside their bodies, so `scaffold --help` never loads cookiecutter.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .answers import FRAMEWORKS, Answers
from .errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    EXIT_USER_ERROR,
    Terminated,
    UsageError,
)

if TYPE_CHECKING:
    from .presets import Presets

from .cli_options import (
    CONTEXT,
    MAX_MESSAGE,
    answer_option,
    answers_option,
    output_dir_option,
    preset_option,
    printable,
    set_option,
)
from .cli_teams import check, questions, update


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="scaffold")
def cli() -> None:
    """Recommend PyTorch, TensorFlow or Keras for a deep-learning project, and generate it.

    \b
    Examples:
      scaffold new                         ask, recommend, generate
      scaffold new --no-input --framework pytorch -o ~/code
      scaffold recommend -a purpose=research -a domain=generative
      scaffold list
    """


@cli.command(context_settings=CONTEXT)
@click.option(
    "--framework",
    type=click.Choice(FRAMEWORKS),
    help="Skip the decision questions and use this framework's template.",
)
@click.option("--no-input", is_flag=True, help="Ask nothing: recommendation and template defaults.")
@set_option("Set a template variable, e.g. --set project_name='Cat Detector' (repeatable).")
@answer_option
@answers_option
@preset_option
@output_dir_option
@click.option(
    "--template",
    "template_spec",
    metavar="PATH|GIT-URL",
    help="A team's own Cookiecutter template instead of the packaged ones.",
)
@click.option("--checkout", metavar="REF", help="Branch, tag or commit of a --template git URL.")
@click.option(
    "--trust", is_flag=True, help="Allow a --template's hooks and Jinja extensions to run."
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Write into an existing non-empty project directory, replacing the template's files "
    "(other files are kept).",
)
def new(
    framework: str | None,
    no_input: bool,
    variables: dict[str, str],
    decision_answers: dict[str, str],
    answers_file: Answers,
    presets: Presets,
    output_dir: Path,
    template_spec: str | None,
    checkout: str | None,
    trust: bool,
    dry_run: bool,
    force: bool,
) -> None:
    """Answer a few questions, get a recommended framework, and generate its starter project.

    \b
    Examples:
      scaffold new
      scaffold new --framework keras --set backend=jax --set project_name='Speech Tagger'
      scaffold new --no-input --answers team.yaml -o projects/
      scaffold new --preset team-preset.toml
      scaffold new --template https://git.example.com/ml/template.git --checkout v2 --trust
      scaffold new --dry-run --framework pytorch
    """
    from .answers import merge
    from .session import NewProject

    flags = Answers(framework, decision_answers, variables)
    layers = [flags, answers_file, *presets.layers]
    session = NewProject(merged=merge(layers), interactive=not no_input, allowed=presets.allowed)
    if template_spec is not None:
        from .sources import open_template

        if framework is not None:
            raise UsageError("--framework and --template exclude each other")
        with open_template(template_spec, checkout, trust) as template:
            session.team_template = template
            _new(session, answers_file, output_dir, dry_run, force)
        return
    if checkout is not None:
        raise UsageError("--checkout needs --template GIT-URL")
    _new(session, answers_file, output_dir, dry_run, force)


def _new(session: Any, answers_file: Answers, output_dir: Path, dry_run: bool, force: bool) -> None:
    session.start(has_answers_file=answers_file != Answers())
    click.echo(f"Host: {session.host.describe()}")
    if session.needs_decision():
        rec = session.decide()
        _echo_recommendation(session.table, rec)
    session.choose()
    for note in session.notes:
        click.echo(f"Note: {printable(note)}")
    plan = session.generate(output_dir, dry_run=dry_run, force=force)
    if dry_run:
        _echo_plan(plan)
        return
    try:
        if plan.overwritten:
            click.echo(
                f"\nWrote the {printable(plan.template.name)} template into {plan.target}, "
                f"replacing {len(plan.overwritten)} of its files; every other file was kept."
            )
        else:
            click.echo(
                f"\nCreated {plan.target} from the {printable(plan.template.name)} template."
            )
        click.echo("Next:")
        for command in session.next_steps(plan):
            click.echo(f"  {printable(command, 400)}")
    except (KeyboardInterrupt, Terminated) as exc:  # the project is complete by now: say so
        click.echo(f"\nscaffold: interrupted after creating {plan.target}", err=True)
        code = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED
        raise click.exceptions.Exit(code) from None


@cli.command(context_settings=CONTEXT)
@answer_option
@answers_option
@click.option("--no-input", is_flag=True, help="Take the default for every unanswered question.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def recommend(
    decision_answers: dict[str, str], answers_file: Answers, no_input: bool, as_json: bool
) -> None:
    """Ask the decision questions and rank the frameworks, with each answer's reason.

    \b
    Examples:
      scaffold recommend
      scaffold recommend --no-input -a deployment=mobile-edge
      scaffold recommend --answers team.yaml --json
    """
    from .decision import load_table
    from .decision import recommend as rank
    from .prompts import ask_decision, require_terminal

    table = load_table()
    known = {**answers_file.decision, **decision_answers}
    interactive = not (no_input or as_json or answers_file != Answers())
    missing = [q.key for q in table.questions if q.key not in known]
    if interactive and missing:
        require_terminal(missing)
        known = ask_decision(table, known)
    rec = rank(known, table)
    if as_json:
        click.echo(json.dumps(rec.to_dict(), indent=2))
    else:
        _echo_recommendation(table, rec, detailed=True)


@cli.command(name="list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print the templates as JSON.")
def list_templates(as_json: bool) -> None:
    """List the templates with their version and a one-line description.

    \b
    Example:
      scaffold list
    """
    from .templates import list_templates as all_templates

    templates = all_templates()
    if as_json:
        rows = [
            {"name": t.name, "version": t.version, "description": t.description} for t in templates
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(t.name) for t in templates), default=0)
    for t in templates:
        click.echo(
            f"{printable(t.name):<{width}}  {printable(t.version):<7}  {printable(t.description)}"
        )


# -- output -----------------------------------------------------------------------------------


def _echo_recommendation(table: Any, rec: Any, detailed: bool = False) -> None:
    from .decision import reasons_for

    click.echo("\nRanking:")
    for place, score in enumerate(rec.ranking, start=1):
        click.echo(f"  {place}. {table.frameworks[score.framework]:<11} {_points(score.total)}")
        if detailed:
            for c in score.contributions:
                click.echo(f"       +{c.points} {c.question}={c.answer}: {c.reason}")
    winner = table.frameworks[rec.winner]
    click.echo(f"\nRecommended: {winner}")
    for reason in reasons_for(rec, rec.winner)[:3]:
        click.echo(f"  - {reason}")
    if rec.tie_break:
        click.echo(f"  (tie: {rec.tie_break})")


def _points(total: int) -> str:
    return f"{total:>3} point" + ("" if total == 1 else "s")


def _echo_plan(plan: Any) -> None:
    click.echo(f"\nDry run: would write {len(plan.files)} files into {printable(plan.target)}")
    if plan.overwritten:
        click.echo(f"Would replace {len(plan.overwritten)} existing files:")
        for path in plan.overwritten:
            click.echo(f"  ! {printable(path)}")
    for path in plan.files:
        if path not in plan.overwritten:
            click.echo(f"  + {printable(path)}")
    click.echo("Nothing was written.")


for command in (questions, check, update):
    cli.add_command(command)


# -- entry point: the one place where errors and signals become messages and exit codes -----


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        code = cli.main(args=argv, prog_name="scaffold", standalone_mode=False)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"scaffold: {printable(exc.format_message(), MAX_MESSAGE)}{hint}", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"scaffold: {printable(exc.format_message(), MAX_MESSAGE)}", err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("\nscaffold: interrupted; nothing was written", err=True)
        return EXIT_INTERRUPTED
    except Terminated:
        click.echo("scaffold: terminated; nothing was written", err=True)
        return EXIT_TERMINATED
    except Exception as exc:  # a bug, not bad input: still one line, the traceback on request
        if os.environ.get("SCAFFOLD_DEBUG"):
            raise
        detail = printable(f"{type(exc).__name__}: {exc}", MAX_MESSAGE)
        click.echo(
            f"scaffold: internal error ({detail}); nothing was written. "
            "Run again with SCAFFOLD_DEBUG=1 for the traceback and report it.",
            err=True,
        )
        return EXIT_USER_ERROR
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())
