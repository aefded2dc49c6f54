"""Presets, user defaults, team templates with --trust, and `scaffold questions`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import fixture_template, git, tree_digest

FRAMEWORKS = ("pytorch", "tensorflow", "keras")


@pytest.fixture
def fixtures(templates_root: Path) -> Path:
    for name in FRAMEWORKS:
        fixture_template(templates_root, name, context={"author_name": "Template Default"})
    return templates_root


def recorded(project: str) -> dict:
    return json.loads(Path(project, ".scaffold.json").read_text(encoding="utf-8"))


def user_config(home: Path, text: str) -> None:
    path = home / ".config" / "scaffold" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")


# flags > answers file > preset > user config > template defaults, one layer removed at a time
PRECEDENCE = [
    ("flag", ["flag", "file", "preset", "user"], "From Flag"),
    ("file", ["file", "preset", "user"], "From File"),
    ("preset", ["preset", "user"], "From Preset"),
    ("user", ["user"], "From User"),
    ("template", [], "Template Default"),
]


@pytest.mark.parametrize(
    ("winner", "layers", "expected"), PRECEDENCE, ids=[p[0] for p in PRECEDENCE]
)
def test_precedence(
    scaffold,
    fixtures: Path,
    tmp_path: Path,
    isolated_home: Path,
    winner: str,
    layers: list[str],
    expected: str,
) -> None:
    args = ["new", "--no-input", "--framework", "pytorch"]
    if "flag" in layers:
        args += ["--set", "author_name=From Flag"]
    if "file" in layers:
        answers = tmp_path / "answers.yaml"
        answers.write_text("variables:\n  author_name: From File\n", encoding="utf-8")
        args += ["--answers", str(answers)]
    if "preset" in layers:
        preset = tmp_path / "preset.toml"
        preset.write_text('[variables]\nauthor_name = "From Preset"\n', encoding="utf-8")
        args += ["--preset", str(preset)]
    if "user" in layers:
        user_config(isolated_home, '[variables]\nauthor_name = "From User"\n')
    result = scaffold(*args)
    assert result.exit_code == 0
    assert recorded("fixture-project")["context"]["cookiecutter"]["author_name"] == expected


def test_preset_pins_answers_and_limits_frameworks(
    scaffold, fixtures: Path, tmp_path: Path
) -> None:
    preset = tmp_path / "team.yaml"
    preset.write_text(
        "allowed_frameworks: [pytorch, keras]\ndecision:\n  deployment: browser\n"
        "variables:\n  license: Apache-2.0\n",
        encoding="utf-8",
    )
    result = scaffold("new", "--no-input", "--preset", str(preset))
    assert result.exit_code == 0
    assert "TensorFlow" not in result.stdout.split("Recommended:")[0], (
        "the policy ranks only allowed"
    )
    record = recorded("fixture-project")
    assert record["template"] in ("pytorch", "keras")
    assert record["context"]["cookiecutter"]["license"] == "Apache-2.0"
    assert (
        record["context"]["cookiecutter"]["_decision"]["answers"][2][1]
        .lower()
        .startswith("a web browser")
    )


def test_policy_refuses_a_framework(scaffold, fixtures: Path, tmp_path: Path) -> None:
    preset = tmp_path / "team.toml"
    preset.write_text('allowed_frameworks = ["pytorch"]\n', encoding="utf-8")
    result = scaffold("new", "--no-input", "--framework", "keras", "--preset", str(preset))
    assert result.exit_code == 1
    assert (
        "framework 'keras' is not allowed" in result.stderr and "allowed: pytorch" in result.stderr
    )
    assert list(Path(".").iterdir()) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ('allowed_frameworks = ["caffe"]\n', "'allowed_frameworks' has 'caffe'; allowed: pytorch"),
        ('[variables]\nlicence = "MIT"\n', "unknown variable 'licence'"),
        ('[variables]\nlicense = "GPL"\n', "'GPL' is not allowed for 'license'; choose one of"),
        ('[decision]\npurpose = "fun"\n', "unknown answer 'fun' for 'purpose'"),
        ("[variables\n", "invalid TOML"),
        ('colour = "blue"\n', "unknown key 'colour'"),
    ],
    ids=["bad-policy", "unknown-variable", "bad-choice", "bad-decision", "bad-toml", "unknown-key"],
)
def test_bad_preset_names_file_and_key(
    scaffold, fixtures: Path, tmp_path: Path, text: str, phrase: str
) -> None:
    preset = tmp_path / "team.toml"
    preset.write_text(text, encoding="utf-8")
    result = scaffold("new", "--no-input", "--preset", str(preset))
    assert result.exit_code == 1
    assert str(preset) in result.stderr and phrase in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert list(Path(".").iterdir()) == []


def test_bad_user_config_is_reported_too(scaffold, fixtures: Path, isolated_home: Path) -> None:
    user_config(isolated_home, "allowed_frameworks = []\n")
    result = scaffold("new", "--no-input")
    assert result.exit_code == 1 and "config.toml" in result.stderr


# -- team templates ---------------------------------------------------------------------------


def team_template(tmp_path: Path, hook: bool) -> Path:
    hooks = {"post_gen_project.py": "open('HOOK_RAN', 'w').write('yes')\n"} if hook else None
    return fixture_template(
        tmp_path / "team", "ml-template", hooks=hooks, context={"_template_version": "3.1.0"}
    )


def test_team_template_without_code_needs_no_trust(scaffold, tmp_path: Path) -> None:
    template = team_template(tmp_path, hook=False)
    result = scaffold("new", "--no-input", "--template", str(template))
    assert result.exit_code == 0
    record = recorded("fixture-project")
    assert record["template"] == "ml-template" and record["template_version"] == "3.1.0"
    assert record["template_source"] == str(template)


def test_team_template_with_hooks_needs_trust(scaffold, tmp_path: Path) -> None:
    template = team_template(tmp_path, hook=True)
    refused = scaffold("new", "--no-input", "--template", str(template))
    assert refused.exit_code == 1
    assert "hooks/post_gen_project.py" in refused.stderr and "--trust" in refused.stderr
    assert list(Path(".").iterdir()) == []
    trusted = scaffold("new", "--no-input", "--template", str(template), "--trust")
    assert trusted.exit_code == 0
    assert Path("fixture-project/HOOK_RAN").read_text(encoding="utf-8") == "yes"


def test_team_template_from_a_git_url_and_ref(scaffold, tmp_path: Path) -> None:
    template = team_template(tmp_path, hook=False)
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v3.1")
    git(template, "tag", "v3.1")
    (template / "{{cookiecutter.project_slug}}" / "LATER.md").write_text(
        "later\n", encoding="utf-8"
    )
    git(template, "add", "-A")
    git(template, "commit", "-qm", "later")
    url = f"file://{template}"
    result = scaffold("new", "--no-input", "--template", url, "--checkout", "v3.1")
    assert result.exit_code == 0
    assert not Path("fixture-project/LATER.md").exists(), "the ref was checked out"
    record = recorded("fixture-project")
    assert (record["template_source"], record["template_checkout"]) == (url, "v3.1")


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("--upload-pack=touch PWNED", None),
        ("ext::sh -c touch% PWNED", None),
        ("file:///tmp/x", "--config=core.sshCommand=touch PWNED"),
        ("file:///tmp/x", "-b"),
        ("https://example.com/a b.git", None),
        ("http://example.com/plain-http.git", None),
    ],
    ids=[
        "option-as-url",
        "ext-transport",
        "option-as-ref",
        "short-option-ref",
        "space",
        "plain-http",
    ],
)
def test_git_urls_and_refs_cannot_inject_options(scaffold, url: str, ref: str | None) -> None:
    before = tree_digest(Path("."))
    args = ["new", "--no-input", "--template", url] + (["--checkout", ref] if ref else [])
    result = scaffold(*args)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert not Path("PWNED").exists()
    assert tree_digest(Path(".")) == before


def test_questions_lists_variables_and_schema(scaffold, fixtures: Path) -> None:
    text = scaffold("questions", "--framework", "pytorch")
    assert text.exit_code == 0
    assert "purpose" in text.stdout and "license" in text.stdout and "MIT|Apache-2.0" in text.stdout
    data = json.loads(scaffold("questions", "--json").stdout)
    schema = data["answers_schema"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["variables"]["properties"]["license"]["enum"] == [
        "Apache-2.0",
        "MIT",
    ]
    assert "research" in schema["properties"]["decision"]["properties"]["purpose"]["enum"]
    names = {v["name"]: v for v in data["templates"][0]["variables"]}
    assert names["package_name"]["default"] == "derived from project_name"
