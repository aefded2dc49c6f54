"""Commands for teams: `questions` about templates, `check` and `update` of generated projects."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .answers import FRAMEWORKS
from .cli_options import CONTEXT, preset_option, printable, set_option
from .errors import EXIT_USER_ERROR, ScaffoldError
from .presets import Presets


@click.command(context_settings=CONTEXT)
@click.option("--framework", type=click.Choice(FRAMEWORKS), help="Only this framework's template.")
@click.option("--template", "template_spec", metavar="PATH|GIT-URL", help="A team template.")
@click.option("--checkout", metavar="REF", help="Branch, tag or commit of a --template git URL.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON, with a JSON Schema for answers files."
)
def questions(
    framework: str | None, template_spec: str | None, checkout: str | None, as_json: bool
) -> None:
    """List the decision questions and each template's variables (type, choices, default).

    \b
    Examples:
      scaffold questions --framework keras
      scaffold questions --json > answers.schema.json
    """
    from .decision import load_table
    from .questions import describe
    from .templates import get_template, list_templates

    table = load_table()
    if template_spec is not None:
        from .sources import open_template

        with open_template(template_spec, checkout, trust=True) as template:  # reads, runs nothing
            described = describe([template], table)
    else:
        templates = [get_template(framework)] if framework else list(list_templates())
        described = describe(templates, table)
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    click.echo("Decision questions (scaffold new -a NAME=VALUE):")
    for q in described["decision"]:
        click.echo(f"  {q['name']:<14} {'|'.join(q['choices'])}  (default {q['default']})")
    for t in described["templates"]:
        title = printable(f"{t['name']} {t['version']}", 200)
        click.echo(f"\nTemplate {title} (scaffold new --set NAME=VALUE):")
        for v in t["variables"]:
            values = "|".join(v["choices"]) if v["type"] == "choice" else "text"
            line = f"  {v['name']:<16} {values}  (default {v['default']!s})"
            if v.get("from_domain"):
                several = v.get("asked_from_domain", {})
                chosen = ", ".join(
                    f"{d} -> {' or '.join(several[d]) + ' (asked)' if d in several else task}"
                    for d, task in v["from_domain"].items()
                )
                line += f"; from the domain answer: {chosen}"
            click.echo(printable(line, 400))


@click.command(context_settings=CONTEXT)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@preset_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for CI).")
def check(directory: Path, presets: Presets, as_json: bool) -> None:
    """Exit 0 when a generated project is on its template's current version and within policy.

    \b
    Examples:
      scaffold check
      scaffold check path/to/project --preset team-preset.toml --json
    """
    from .sync import check as check_project

    result = check_project(directory, presets.allowed)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        state = "up to date" if result.ok else "needs attention"
        line = (
            f"{result.project}: template {result.template} {result.recorded_version} "
            f"(current {result.current_version}): {state}"
        )
        click.echo(printable(line, 400))
        for problem in result.problems:
            click.echo(f"  - {printable(problem, 400)}")
    if not result.ok:
        raise click.exceptions.Exit(EXIT_USER_ERROR)


@click.command(context_settings=CONTEXT)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@set_option("Change a recorded answer before re-rendering (repeatable).")
@click.option(
    "--dry-run", is_flag=True, help="Show the diff the update would merge; change nothing."
)
@click.option("--trust", is_flag=True, help="Allow a team template's hooks and extensions to run.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace untracked or ignored files where the template now writes files.",
)
def update(
    directory: Path, variables: dict[str, str], dry_run: bool, trust: bool, force: bool
) -> None:
    """Merge the template's current version into a generated project, keeping your changes.

    The project must be a clean git repository. The template's render lives on the branch
    `scaffold/template`; git merges it, and conflicts are left for you to resolve.

    \b
    Examples:
      scaffold update
      scaffold update --dry-run
      scaffold update path/to/project --set python_version=3.12
    """
    from .sync import update as update_project

    result = update_project(directory, variables, dry_run=dry_run, trust=trust, force=force)
    if dry_run:
        diff = "\n".join(printable(line) for line in result.diff.splitlines())
        click.echo(diff or "Nothing to update: the template renders as recorded.")
        return
    if result.conflicts:
        raise ScaffoldError(
            f"merged template {result.template} {result.to_version} with conflicts in "
            f"{', '.join(result.conflicts)}; resolve them, then `git commit`"
        )  # main() escapes the message
    if result.changed:
        click.echo(
            printable(
                f"Merged template {result.template} {result.from_version} -> {result.to_version}."
            )
        )
    else:
        click.echo("Nothing to update: the project has the template's current files.")
