"""Every command and option of `scaffold`, through the real entry point (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import fixture_template

from scaffolder import __version__
from scaffolder.decision import load_table

FRAMEWORKS = ("pytorch", "tensorflow", "keras")


@pytest.fixture
def fixtures(templates_root: Path) -> Path:
    """One small fixture template per framework, so these tests do not depend on the real ones."""
    for name in FRAMEWORKS:
        fixture_template(templates_root, name, context={"_description": f"{name} fixture"})
    return templates_root


def test_version(scaffold) -> None:
    for flag in ("--version", "-V"):
        result = scaffold(flag)
        assert result.exit_code == 0
        assert result.stdout.strip() == f"scaffold, version {__version__}"


@pytest.mark.parametrize(
    "command", [[], ["new"], ["recommend"], ["list"]], ids=["root", "new", "recommend", "list"]
)
def test_every_command_has_help_with_examples(scaffold, command: list[str]) -> None:
    result = scaffold(*command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout or "Example:" in result.stdout
    assert "scaffold" in result.stdout


def test_new_help_lists_every_option(scaffold) -> None:
    out = scaffold("new", "--help").stdout
    for option in (
        "--framework",
        "--no-input",
        "--set",
        "--answer",
        "--answers",
        "--output-dir",
        "-o",
        "--dry-run",
        "--force",
    ):
        assert option in out


def test_list_shows_name_version_and_description(scaffold, fixtures: Path) -> None:
    result = scaffold("list")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(FRAMEWORKS)
    assert all("1.0.0" in line and "fixture" in line for line in lines)
    rows = json.loads(scaffold("list", "--json").stdout)
    assert {r["name"] for r in rows} == set(FRAMEWORKS)
    assert rows[0]["version"] == "1.0.0"


def test_list_of_the_real_templates(scaffold) -> None:
    rows = json.loads(scaffold("list", "--json").stdout)
    assert {r["name"] for r in rows} == set(FRAMEWORKS)
    assert all(r["description"] and r["version"] for r in rows)


def test_new_no_input_writes_the_recommended_project(scaffold, fixtures: Path) -> None:
    result = scaffold("new", "--no-input", "-o", "out")
    assert result.exit_code == 0
    project = Path("out/fixture-project")
    assert (project / "src/fixture_project/__init__.py").is_file()
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == "pytorch", "the default answers recommend PyTorch"
    decision = record["context"]["cookiecutter"]["_decision"]
    assert decision["recommended"] == decision["chosen"] == "PyTorch"
    assert len(decision["answers"]) == len(load_table().questions)
    assert "Recommended: PyTorch" in result.stdout


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_new_framework_skips_the_decision(scaffold, fixtures: Path, framework: str) -> None:
    result = scaffold("new", "--no-input", "--framework", framework, "--output-dir", "dir")
    assert result.exit_code == 0
    assert "Ranking" not in result.stdout
    record = json.loads(Path("dir/fixture-project/.scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == framework
    assert record["context"]["cookiecutter"]["_decision"] == {}


def test_new_prints_the_next_three_commands(scaffold, fixtures: Path) -> None:
    result = scaffold(
        "new", "--no-input", "--framework", "keras", "--set", "project_name=Cat Finder"
    )
    tail = result.stdout.split("Next:")[1].strip().splitlines()
    assert [line.split()[0] for line in tail] == ["cd", "python", "cat-finder"]
    assert tail[0].strip() == "cd cat-finder"


def test_new_set_fills_template_variables(scaffold, fixtures: Path) -> None:
    result = scaffold(
        "new",
        "--no-input",
        "--framework",
        "pytorch",
        "--set",
        "project_name=Vision Lab",
        "--set",
        "license=Apache-2.0",
    )
    assert result.exit_code == 0
    readme = Path("vision-lab/README.md").read_text(encoding="utf-8")
    assert readme == "# Vision Lab\n\nLicence: Apache-2.0\n"


def test_new_answer_flags_steer_the_recommendation(scaffold, fixtures: Path) -> None:
    result = scaffold("new", "--no-input", "-a", "purpose=learning", "-a", "experience=beginner")
    assert result.exit_code == 0
    assert "Recommended: Keras" in result.stdout
    record = json.loads(Path("fixture-project/.scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == "keras"


def test_new_answers_file_holds_decisions_and_variables(
    scaffold, fixtures: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "team.yaml"
    answers.write_text(
        "decision:\n  deployment: mobile-edge\nvariables:\n  project_name: Edge Net\n  license: Apache-2.0\n",
        encoding="utf-8",
    )
    result = scaffold("new", "--answers", str(answers))
    assert result.exit_code == 0, (
        "an answers file in CI takes defaults for the rest, it never prompts"
    )
    record = json.loads(Path("edge-net/.scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == "tensorflow"
    assert record["context"]["cookiecutter"]["license"] == "Apache-2.0"


def test_flags_beat_the_answers_file(scaffold, fixtures: Path, tmp_path: Path) -> None:
    answers = tmp_path / "team.json"
    answers.write_text(
        json.dumps({"framework": "keras", "variables": {"project_name": "From File"}}),
        encoding="utf-8",
    )
    result = scaffold(
        "new",
        "--answers",
        str(answers),
        "--framework",
        "pytorch",
        "--set",
        "project_name=From Flag",
    )
    assert result.exit_code == 0
    record = json.loads(Path("from-flag/.scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == "pytorch"


def test_dry_run_writes_nothing_and_lists_files(scaffold, fixtures: Path) -> None:
    result = scaffold("new", "--no-input", "--framework", "pytorch", "--dry-run", "-o", "out")
    assert result.exit_code == 0
    assert "+ README.md" in result.stdout and "Nothing was written." in result.stdout
    assert not Path("out").exists()
    assert list(Path(".").iterdir()) == []


def test_force_replaces_template_files_and_keeps_the_rest(scaffold, fixtures: Path) -> None:
    assert scaffold("new", "--no-input", "--framework", "pytorch").exit_code == 0
    project = Path("fixture-project")
    (project / "README.md").write_text("mine\n", encoding="utf-8")
    (project / "notes.txt").write_text("keep me\n", encoding="utf-8")
    refused = scaffold("new", "--no-input", "--framework", "pytorch")
    assert refused.exit_code == 1 and "--force" in refused.stderr
    dry = scaffold("new", "--no-input", "--framework", "pytorch", "--force", "--dry-run")
    assert "! README.md" in dry.stdout
    assert (project / "README.md").read_text(encoding="utf-8") == "mine\n"
    forced = scaffold("new", "--no-input", "--framework", "pytorch", "--force")
    assert forced.exit_code == 0
    assert "replacing 3 of its files; every other file was kept" in forced.stdout
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# Fixture Project")
    assert (project / "notes.txt").read_text(encoding="utf-8") == "keep me\n"


def test_recommend_json(scaffold) -> None:
    result = scaffold("recommend", "--json", "-a", "purpose=research", "-a", "domain=generative")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["winner"] == "pytorch"
    assert data["ranking"][0]["framework"] == "pytorch"
    assert data["answers"]["purpose"] == "research"


def test_recommend_prints_each_answers_contribution(scaffold) -> None:
    result = scaffold("recommend", "--no-input", "-a", "deployment=browser")
    assert result.exit_code == 0
    assert "Recommended: TensorFlow" in result.stdout
    assert "+" in result.stdout and "deployment=browser" in result.stdout


def test_recommend_answers_file(scaffold, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(
        json.dumps({"decision": {"purpose": "learning", "experience": "beginner"}}),
        encoding="utf-8",
    )
    data = json.loads(scaffold("recommend", "--answers", str(answers), "--json").stdout)
    assert data["winner"] == "keras"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the prompts believe stdin is a terminal (the pexpect test uses a real one)."""
    monkeypatch.setattr("scaffolder.prompts.stdin_is_terminal", lambda: True)


def test_recommend_interactive_asks_every_question(scaffold, terminal: None) -> None:
    table = load_table()
    typed = "1\n" + "\n" * (len(table.questions) - 1)  # research, then every default
    result = scaffold("recommend", input=typed)
    assert result.exit_code == 0
    for question in table.questions:
        assert question.prompt in result.stdout
    assert "Recommended: PyTorch" in result.stdout


def test_recommend_without_a_terminal_says_which_flag_to_use(scaffold) -> None:
    result = scaffold("recommend")
    assert result.exit_code == 2
    assert "--no-input" in result.stderr and "--answers" in result.stderr


def test_new_interactive_decides_chooses_and_asks_the_template(
    scaffold, fixtures: Path, terminal: None
) -> None:
    table = load_table()
    typed = "3\n" + "\n" * (len(table.questions) - 1)  # learning, defaults for the rest
    typed += "1\n"  # the framework: the first of the ranking, the recommendation
    typed += "Tiny Net\n2\n"  # the template's own questions: project name, licence
    result = scaffold("new", input=typed)
    assert result.exit_code == 0
    record = json.loads(Path("tiny-net/.scaffold.json").read_text(encoding="utf-8"))
    answers = record["context"]["cookiecutter"]
    assert answers["license"] == "Apache-2.0"
    assert (
        record["template"]
        == json.loads(scaffold("recommend", "--json", "-a", "purpose=learning").stdout)["winner"]
    )


def test_new_interactive_override_is_recorded(scaffold, fixtures: Path, terminal: None) -> None:
    typed = "\n" * len(load_table().questions) + "3\n" + "\n\n"  # the third-ranked framework
    result = scaffold("new", input=typed)
    assert result.exit_code == 0
    decision = json.loads(Path("fixture-project/.scaffold.json").read_text(encoding="utf-8"))[
        "context"
    ]["cookiecutter"]["_decision"]
    assert decision["recommended"] == "PyTorch" and decision["chosen"] == "TensorFlow"


def test_bad_decision_answer_is_one_line(scaffold) -> None:
    result = scaffold("recommend", "-a", "deployment=mobil")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "choose one of: python-service, cpp-java, mobile-edge, browser" in result.stderr


@pytest.mark.parametrize(
    ("framework", "settings", "install"),
    [
        ("pytorch", [], "pip install torch --index-url https://download.pytorch.org/whl/cpu"),
        ("pytorch", ["accelerator=cuda"], "download.pytorch.org/whl/cu128"),
        ("tensorflow", [], "pip install -e '.[cpu,dev]'"),
        ("tensorflow", ["accelerator=cuda"], "pip install -e '.[gpu,dev]'"),
        ("keras", [], "pip install -e '.[cpu,dev]'"),
        ("keras", ["backend=torch"], "download.pytorch.org/whl/cpu"),
    ],
    ids=["pytorch", "pytorch-cuda", "tensorflow", "tensorflow-cuda", "keras", "keras-torch"],
)
def test_new_with_the_real_templates(
    scaffold, framework: str, settings: list[str], install: str
) -> None:
    sets = [arg for setting in settings for arg in ("--set", setting)]
    result = scaffold(
        "new", "--no-input", "--framework", framework, "-o", "projects",
        "--set", "project_name=Real One", "-a", "purpose=research", *sets,
    )  # fmt: skip
    assert result.exit_code == 0
    project = Path("projects/real-one")
    assert (project / "pyproject.toml").is_file()
    assert (project / "src/real_one/train.py").is_file()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "## Why" in readme and "| Main purpose of the project |" in readme
    next_steps = result.stdout.split("Next:")[1]
    assert install in next_steps
    assert "{{" not in next_steps and "{%" not in next_steps
