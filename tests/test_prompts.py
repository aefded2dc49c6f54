"""Each prompt function on its own, driven through click's test input."""

from __future__ import annotations

import io
import sys

import pytest
from click.testing import CliRunner

from scaffolder import prompts
from scaffolder.decision import load_table, recommend
from scaffolder.errors import InvalidNameError, NoTerminalError
from scaffolder.templates import Template, Variable

OPTIONS = [("research", "Research"), ("production", "Production"), ("learning", "Learning")]


def answer(func, text: str, *args, **kwargs):
    """Call a prompt function with `text` typed on stdin; returns (result, what was shown)."""
    runner = CliRunner()
    with runner.isolation(input=text) as (out, _err, _all):
        result = func(*args, **kwargs)
        shown = out.getvalue().decode()
    print(shown)
    return result, shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("\n", "production"), ("1\n", "research"), ("3\n", "learning"), ("research\n", "research")],
    ids=["enter-takes-default", "number", "last-number", "value"],
)
def test_read_choice_accepts_enter_numbers_and_values(typed: str, expected: str) -> None:
    result, shown = answer(prompts.read_choice, typed, "Purpose", OPTIONS, "production", "why")
    assert result == expected
    assert "1) Research [research]" in shown
    assert "Choose [2]" in shown


def test_read_choice_shows_help_on_question_mark_then_asks_again() -> None:
    result, shown = answer(
        prompts.read_choice, "?\n2\n", "Purpose", OPTIONS, "research", "It matters."
    )
    assert result == "production"
    assert "It matters." in shown
    assert shown.count("Choose [1]") == 2


def test_read_choice_rejects_out_of_range_and_unknown_values() -> None:
    result, shown = answer(prompts.read_choice, "9\nnope\n3\n", "Purpose", OPTIONS, "research", "h")
    assert result == "learning"
    assert shown.count("Type a number from 1 to 3") == 2


def test_read_text_repeats_until_the_check_passes() -> None:
    def check(value: str) -> None:
        if value == "torch":
            raise InvalidNameError("package name 'torch' would shadow the library")

    result, shown = answer(prompts.read_text, "torch\nVision Lab\n", "Project name", "X", check)
    assert result == "Vision Lab"
    assert "would shadow the library" in shown


def test_read_text_enter_takes_the_default() -> None:
    result, _ = answer(prompts.read_text, "\n", "Project name", "Image Classifier")
    assert result == "Image Classifier"


def test_ask_decision_asks_only_unanswered_questions() -> None:
    table = load_table()
    known = {q.key: q.default for q in table.questions[1:]}
    result, shown = answer(prompts.ask_decision, "1\n", table, known)
    first = table.questions[0]
    assert result[first.key] == first.choices[0].value
    assert shown.count("Choose [") == 1
    assert first.prompt in shown


def test_choose_framework_defaults_to_the_winner_and_allows_any_other() -> None:
    table = load_table()
    rec = recommend({"purpose": "learning", "experience": "beginner"}, table)
    chosen, shown = answer(prompts.choose_framework, "\n", rec, table)
    assert chosen == rec.winner == "keras"
    other, _ = answer(prompts.choose_framework, "3\n", rec, table)
    assert other == rec.ranking[2].framework
    assert "points" in shown


def test_ask_variables_asks_the_templates_own_questions_only() -> None:
    template = Template(
        name="t",
        path=None,  # type: ignore[arg-type]
        version="1",
        description="",
        variables={
            "project_name": Variable("project_name", "Image Classifier", (), "Project name"),
            "license": Variable("license", "MIT", ("MIT", "Apache-2.0"), "Licence"),
            "author_name": Variable("author_name", "Me", (), "Author"),
        },
        asks=("project_name", "license"),
    )
    result, shown = answer(prompts.ask_variables, "Cat Finder\n2\n", template, {})
    assert result == {"project_name": "Cat Finder", "license": "Apache-2.0"}
    assert "Author" not in shown
    result, shown = answer(
        prompts.ask_variables, "", template, {"project_name": "A", "license": "MIT"}
    )
    assert result == {"project_name": "A", "license": "MIT"} and shown == ""


def test_require_terminal_refuses_without_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(NoTerminalError) as info:
        prompts.require_terminal(["purpose", "project_name"])
    message = info.value.message
    assert "--no-input" in message and "--answers" in message and "purpose" in message
    assert "\n" not in message
