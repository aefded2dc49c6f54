"""The decision's domain answer chooses the starter task; `--set task=...` overrides it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import fixture_template, run_real

from scaffolder.tasks import DOMAIN_TASKS, task_for
from scaffolder.templates import get_template, list_templates

TASK_CHOICES = [
    "image-classification",
    "text-classification",
    "tabular",
    "audio-classification",
    "recommendation",
    "generative",
    "language-model",
]


def recorded(project: Path) -> dict:
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    return record["context"]["cookiecutter"]


@pytest.fixture
def tasks_root(templates_root: Path) -> Path:
    """A fixture template whose project records only its task, with the real template's choices."""
    files = {"task.txt": "{{ cookiecutter.task }}\n"}
    for name in ("pytorch", "tensorflow", "keras"):
        fixture_template(templates_root, name, files=files, context={"task": TASK_CHOICES})
    return templates_root


@pytest.mark.parametrize(
    ("domain", "task"),
    [
        ("vision", "image-classification"),
        ("language", "text-classification"),
        ("speech", "audio-classification"),
        ("recommendation", "recommendation"),
        ("generative", "generative"),
        ("tabular-other", "tabular"),
    ],
)
def test_the_domain_answer_chooses_the_task(scaffold, tasks_root: Path, domain: str, task: str):
    result = scaffold("new", "--no-input", "--framework", "keras", "-a", f"domain={domain}")
    assert result.exit_code == 0, result.output
    assert (Path("fixture-project") / "task.txt").read_text() == f"{task}\n"
    assert "Note:" not in result.stdout


def test_a_domain_without_a_starter_says_so_in_one_line(scaffold, templates_root: Path) -> None:
    files = {"task.txt": "{{ cookiecutter.task }}\n"}
    choices = [t for t in TASK_CHOICES if t not in ("generative", "language-model")]
    for name in ("pytorch", "tensorflow", "keras"):
        fixture_template(templates_root, name, files=files, context={"task": choices})
    result = scaffold("new", "--no-input", "-a", "domain=generative")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("Note:")]
    assert notes == [
        "Note: Generative media (diffusion, GANs, VAEs) has no starter of its own yet: writing "
        "the image-classification starter (others: --set task=text-classification, tabular, "
        "audio-classification or recommendation)"
    ]
    assert (Path("fixture-project") / "task.txt").read_text() == "image-classification\n"


def test_set_task_beats_the_domain_answer(scaffold, tasks_root: Path) -> None:
    result = scaffold(
        "new",
        "--no-input",
        "--framework",
        "pytorch",
        "-a",
        "domain=vision",
        "--set",
        "task=tabular",
    )
    assert result.exit_code == 0, result.output
    assert (Path("fixture-project") / "task.txt").read_text() == "tabular\n"


def test_without_a_domain_answer_the_template_default_stays(scaffold, tasks_root: Path) -> None:
    assert scaffold("new", "--no-input", "--framework", "pytorch").exit_code == 0
    assert (Path("fixture-project") / "task.txt").read_text() == "image-classification\n"


def test_an_unknown_task_is_one_line(scaffold, tasks_root: Path) -> None:
    result = scaffold("new", "--no-input", "--framework", "pytorch", "--set", "task=chess")
    assert result.exit_code != 0
    assert "task" in result.output and "Traceback" not in result.output
    assert not Path("fixture-project").exists()


def test_a_template_without_tasks_is_left_alone(templates_root: Path) -> None:
    fixture_template(templates_root, "pytorch")
    template = get_template("pytorch")
    assert task_for(template, "tabular-other").task is None


def test_every_packaged_task_is_reachable_from_a_domain() -> None:
    """PyTorch offers every task; the others offer them in the same order as they gain them; and
    some domain answer leads to each of them."""
    offered = {t.name: list(t.variables["task"].choices) for t in list_templates()}
    assert offered["pytorch"] == TASK_CHOICES
    for name, choices in offered.items():
        assert choices == TASK_CHOICES[: len(choices)], name
    assert set(TASK_CHOICES) <= {task for tasks in DOMAIN_TASKS.values() for task in tasks}


@pytest.fixture
def two_language_tasks(templates_root: Path) -> Path:
    """A fixture template with both language tasks, as a template that has them offers them."""
    files = {"task.txt": "{{ cookiecutter.task }}\n"}
    fixture_template(templates_root, "pytorch", files=files, context={"task": TASK_CHOICES})
    return templates_root


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffolder.prompts.stdin_is_terminal", lambda: True)


def test_a_domain_with_two_tasks_asks_which_once(scaffold, two_language_tasks, terminal) -> None:
    result = scaffold(
        "new", "--framework", "pytorch", "-a", "domain=language", input="2\n" + "\n" * 5
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Language (text, NLP, LLMs): which starter?") == 1
    assert "Generate text" in result.stdout and "Classify texts" in result.stdout
    assert (Path("fixture-project") / "task.txt").read_text() == "language-model\n"


def test_without_a_terminal_the_usual_task_is_taken(scaffold, two_language_tasks) -> None:
    result = scaffold("new", "--no-input", "--framework", "pytorch", "-a", "domain=language")
    assert result.exit_code == 0, result.output
    assert "which starter" not in result.stdout and "Note:" not in result.stdout
    assert (Path("fixture-project") / "task.txt").read_text() == "text-classification\n"


def test_set_task_answers_the_extra_question(scaffold, two_language_tasks, terminal) -> None:
    args = ("--framework", "pytorch", "-a", "domain=language", "--set", "task=language-model")
    result = scaffold("new", *args, input="\n" * 6)
    assert result.exit_code == 0, result.output
    assert "which starter" not in result.stdout
    assert (Path("fixture-project") / "task.txt").read_text() == "language-model\n"


def test_other_domains_ask_no_extra_question(scaffold, two_language_tasks, terminal) -> None:
    result = scaffold("new", "--framework", "pytorch", "-a", "domain=speech", input="\n" * 6)
    assert result.exit_code == 0, result.output
    assert "which starter" not in result.stdout
    assert (Path("fixture-project") / "task.txt").read_text() == "audio-classification\n"


def test_questions_say_which_domain_asks_between_tasks(
    tmp_path: Path, two_language_tasks: Path
) -> None:
    root = {"SCAFFOLD_TEMPLATES": str(two_language_tasks)}
    result = run_real(tmp_path, "questions", "--framework", "pytorch", "--json", **root)
    assert result.returncode == 0, result.stderr
    variables = json.loads(result.stdout)["templates"][0]["variables"]
    task = next(v for v in variables if v["name"] == "task")
    assert task["from_domain"]["language"] == "text-classification"
    assert task["asked_from_domain"] == {"language": ["text-classification", "language-model"]}
    text = run_real(tmp_path, "questions", "--framework", "pytorch", **root).stdout
    assert "language -> text-classification or language-model (asked)" in text


def test_questions_say_the_domain_picks_the_task(tmp_path: Path) -> None:
    result = run_real(tmp_path, "questions", "--framework", "pytorch", "--json")
    assert result.returncode == 0, result.stderr
    variables = json.loads(result.stdout)["templates"][0]["variables"]
    task = next(v for v in variables if v["name"] == "task")
    assert task["choices"] == TASK_CHOICES
    assert task["from_domain"] == {
        "vision": "image-classification",
        "language": "text-classification",
        "speech": "audio-classification",
        "recommendation": "recommendation",
        "generative": "generative",
        "tabular-other": "tabular",
    }
    assert task["asked_from_domain"] == {"language": ["text-classification", "language-model"]}
    text = run_real(tmp_path, "questions", "--framework", "pytorch").stdout
    assert (
        "from the domain answer: vision -> image-classification, "
        "language -> text-classification or language-model (asked), "
        "speech -> audio-classification, "
        "recommendation -> recommendation, generative -> generative, "
        "tabular-other -> tabular" in text
    )


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "keras"])
def test_the_real_cli_writes_the_tabular_starter_for_tabular_data(
    tmp_path: Path, framework: str
) -> None:
    """Through the real entry point and the packaged template: the domain answer is recorded as the
    task, names follow it, and the project holds the tabular modules only."""
    result = run_real(
        tmp_path, "new", "--no-input", "--framework", framework, "-a", "domain=tabular-other"
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "tabular-model"
    assert recorded(project)["task"] == "tabular"
    package = project / "src" / "tabular_model"
    assert (package / "table.py").is_file()
    assert not (package / "sources.py").exists() and not (project / "_tasks").exists()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Tabular Model\n") and "tabular prediction" in readme


def test_the_real_cli_writes_the_text_starter_for_language(tmp_path: Path) -> None:
    """The issue's own case: a language project named "Review Sentiment" gets a text classifier,
    with the title and the reasons naming text classification, and no image or table code."""
    result = run_real(
        tmp_path,
        "new",
        "--no-input",
        "--framework",
        "pytorch",
        "-a",
        "domain=language",
        "--set",
        "project_name=Review Sentiment",
    )
    assert result.returncode == 0, result.stderr
    assert "Note:" not in result.stdout
    project = tmp_path / "review-sentiment"
    assert recorded(project)["task"] == "text-classification"
    package = project / "src" / "review_sentiment"
    assert (package / "tokenizer.py").is_file() and (package / "corpus.py").is_file()
    for other in ("sources.py", "table.py"):
        assert not (package / other).exists(), other
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Review Sentiment\n")
    assert "## Why PyTorch for text classification" in readme
    assert "image" not in readme.split("## Data")[1].split("##")[0].lower()
