"""Merging known answers, reading answers files, checking template variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import fixture_template

from scaffolder.answers import (
    Answers,
    answers_from_mapping,
    check_variables,
    load_answers_file,
    merge,
    parse_assignment,
    template_context,
)
from scaffolder.errors import AnswersFileError, InvalidAnswerError, InvalidNameError
from scaffolder.host import Host
from scaffolder.templates import load_template

CPU = Host("cpu", "3.11", "test host")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("a=b", ("a", "b")),
        ("key=x=y", ("key", "x=y")),
        ("empty=", ("empty", "")),
        (" spaced =v", ("spaced", "v")),
        ("project_name=Café Δ", ("project_name", "Café Δ")),
    ],
)
def test_parse_assignment(item: str, expected: tuple[str, str]) -> None:
    assert parse_assignment(item) == expected


@pytest.mark.parametrize("item", ["novalue", "=x", "1key=v", "a-b=c", "a.b=c"])
def test_parse_assignment_refuses_malformed_items(item: str) -> None:
    with pytest.raises(InvalidAnswerError, match="KEY=VALUE"):
        parse_assignment(item)


def test_merge_takes_the_first_layer_that_gives_a_value() -> None:
    flags = Answers(None, {"purpose": "research"}, {"license": "MIT"})
    file = Answers(
        "keras",
        {"purpose": "learning", "domain": "speech"},
        {"license": "Apache-2.0", "author_name": "A"},
    )
    merged = merge([flags, file])
    assert merged.framework == "keras"
    assert merged.decision == {"purpose": "research", "domain": "speech"}
    assert merged.variables == {"license": "MIT", "author_name": "A"}
    assert flags.over(file) == merged


def test_answers_file_yaml_and_json_give_the_same_answers(tmp_path: Path) -> None:
    data = {
        "framework": "pytorch",
        "decision": {"purpose": "research"},
        "variables": {"project_name": "Lab", "dockerfile": False, "python_version": 3.12},
    }
    (tmp_path / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(
        "framework: pytorch\ndecision:\n  purpose: research\nvariables:\n"
        "  project_name: Lab\n  dockerfile: false\n  python_version: 3.12\n",
        encoding="utf-8",
    )
    from_json = load_answers_file(tmp_path / "a.json")
    assert from_json == load_answers_file(tmp_path / "a.yaml")
    assert from_json.variables == {
        "project_name": "Lab",
        "dockerfile": "no",
        "python_version": "3.12",
    }


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        ([1, 2], "expected a mapping"),
        ({"varaibles": {}}, "unknown key 'varaibles'"),
        ({"framework": "caffe"}, "choose one of: pytorch, tensorflow, keras"),
        ({"decision": ["a"]}, "'decision' must be a mapping"),
        ({"variables": {"project_name": ["a"]}}, "'variables.project_name' must be a text value"),
    ],
)
def test_answers_file_shapes_are_checked(data: object, phrase: str) -> None:
    with pytest.raises(AnswersFileError, match=phrase.replace(".", r"\.")):
        answers_from_mapping(data, "team.yaml")


def test_answers_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("variables:\n  project_name: [unclosed\n", encoding="utf-8")
    with pytest.raises(AnswersFileError, match=r"bad\.yaml: invalid YAML at line \d"):
        load_answers_file(bad)
    with pytest.raises(AnswersFileError, match="cannot read answers file"):
        load_answers_file(tmp_path / "missing.yaml")


def test_check_variables_names_the_key_and_the_choices(tmp_path: Path) -> None:
    template = load_template(fixture_template(tmp_path))
    check_variables(template, {"license": "Apache-2.0", "project_name": "X"})
    with pytest.raises(InvalidAnswerError, match=r"unknown template variable 'licence'.*known: "):
        check_variables(template, {"licence": "MIT"})
    with pytest.raises(
        InvalidAnswerError,
        match=r"'GPL' is not allowed for 'license'; choose one of: MIT, Apache-2\.0",
    ):
        check_variables(template, {"license": "GPL"})


def test_template_context_derives_names_and_fills_the_host(tmp_path: Path) -> None:
    template = load_template(fixture_template(tmp_path))
    context = template_context(template, {"project_name": "Café Vision 2"}, CPU)
    assert context["project_slug"] == "cafe-vision-2"
    assert context["package_name"] == "cafe_vision_2"
    assert context["python_version"] == "3.11" and context["accelerator"] == "cpu"
    gpu = template_context(template, {"accelerator": "cpu"}, Host("cuda", "3.12", "gpu"))
    assert gpu["accelerator"] == "cpu", "an explicit value beats the host"
    assert gpu["python_version"] == "3.12"
    newer = template_context(template, {}, Host("cpu", "3.14", "new python"))
    assert "python_version" not in newer, "a host version the template does not offer is left to it"


def test_template_context_refuses_bad_names(tmp_path: Path) -> None:
    template = load_template(fixture_template(tmp_path))
    with pytest.raises(InvalidNameError, match="shadow"):
        template_context(template, {"project_name": "NumPy"}, CPU)
