"""Options and parameter callbacks the commands share: input is checked here, before a command runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .answers import Answers, load_answers_file, parse_assignment

if TYPE_CHECKING:
    from .presets import Presets

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
MAX_MESSAGE = 600  # characters of one error line; a value echoed into it is cut short
PATH_MAX, NAME_MAX = 4096, 255


def printable(text: object, limit: int | None = None) -> str:
    """`text` for a terminal: control characters (escape sequences, newlines) shown escaped, and cut
    to `limit` characters."""
    shown = "".join(ch if ch.isprintable() or ch in " \t" else ascii(ch)[1:-1] for ch in str(text))
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + f"... ({len(shown) - limit} more characters)"
    return shown


def _output_dir(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """An output directory the file system can hold: no component or whole path too long."""
    encoded = os.fsencode(value.absolute())
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if len(encoded) >= PATH_MAX or longest > NAME_MAX:
        raise click.BadParameter(
            f"the path is {len(encoded)} bytes with a name of {longest} bytes; the file system "
            f"allows {PATH_MAX - 1} and {NAME_MAX}"
        )
    return value


output_dir_option = click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    callback=_output_dir,
    help="Directory the new project is created in.",
)


def assignments(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict:
    return dict(parse_assignment(v) for v in values)


def _decision_answers(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict:
    if not values:
        return {}
    from .decision import validate_answers

    return validate_answers(dict(parse_assignment(v) for v in values))


def _answers_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Answers:
    if value is None:
        return Answers()
    answers = load_answers_file(Path(value))
    from .decision import validate_answers

    answers.decision = validate_answers(answers.decision)
    return answers


answers_option = click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False),
    callback=_answers_file,
    help="YAML or JSON file with `framework`, `decision` answers and template `variables`.",
)


def _preset(ctx: click.Context, param: click.Parameter, value: str | None) -> Presets:
    from .presets import Presets

    return Presets.load(Path(value) if value else None)


preset_option = click.option(
    "--preset",
    "presets",
    type=click.Path(dir_okay=False),
    callback=_preset,
    help="Team preset (TOML/YAML/JSON): default variables, pinned answers, allowed frameworks. "
    "The user's own defaults are read from the config file named in the README.",
)
answer_option = click.option(
    "-a",
    "--answer",
    "decision_answers",
    multiple=True,
    metavar="QUESTION=ANSWER",
    callback=_decision_answers,
    help="Answer one decision question, e.g. -a purpose=research (repeatable).",
)


def set_option(help_text: str) -> Callable[[F], F]:
    """`--set KEY=VALUE`, repeatable, parsed into a dict before the command runs."""
    return click.option(
        "--set",
        "variables",
        multiple=True,
        metavar="KEY=VALUE",
        callback=assignments,
        help=help_text,
    )
