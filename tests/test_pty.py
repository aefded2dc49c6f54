"""The real interactive prompt, in a pseudo-terminal, as a person would answer it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from helpers import fixture_template


@pytest.fixture
def spawn(tmp_path: Path):
    """Start `python -m scaffolder ARGS` on a pseudo-terminal in tmp_path."""
    children: list[pexpect.spawn] = []

    def start(*args: str) -> pexpect.spawn:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TERM": "dumb", "COLUMNS": "120"}
        child = pexpect.spawn(
            sys.executable,
            ["-m", "scaffolder", *args],
            cwd=str(tmp_path),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 160),
        )
        child.logfile_read = sys.stdout
        children.append(child)
        return child

    yield start
    for child in children:
        child.close(force=True)


def test_interactive_new_in_a_terminal(spawn, tmp_path: Path) -> None:
    child = spawn("new", "-o", "out")
    child.expect("Host: Python")
    child.expect("Main purpose of the project")
    child.expect(r"Choose \[\d\]")
    child.sendline("?")  # the help line, then the same question again
    child.expect(r"Choose \[\d\]")
    child.sendline("3")  # learning
    for _ in range(3):  # distributed, deployment, dataset size: Enter takes the default
        child.expect(r"Choose \[\d\]")
        child.sendline("")
    child.expect("experience")
    child.expect(r"Choose \[\d\]")
    child.sendline("1")  # beginner
    child.expect(r"Choose \[\d\]")  # domain
    child.sendline("")
    child.expect("Recommended: Keras")
    child.expect(r"Framework \(Enter accepts the recommendation\)")
    child.expect(r"Choose \[1\]")
    child.sendline("")
    child.expect("Project name")
    child.sendline("import")  # a keyword: refused, asked again
    child.expect("keyword")
    child.expect("Project name")
    child.sendline("Digit Reader")
    for _ in range(5):  # the template's own choices (licence, Keras backend): take the defaults
        index = child.expect([r"Choose \[\d\]", "Created "])
        if index == 1:
            break
        child.sendline("")
    child.expect("Next:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    project = tmp_path / "out" / "digit-reader"
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert record["template"] == "keras"
    answers = record["context"]["cookiecutter"]
    assert answers["project_name"] == "Digit Reader"
    assert answers["_decision"]["answers"][0][1] == "Learning deep learning"
    assert "## Why Keras" in (project / "README.md").read_text(encoding="utf-8")


def test_ctrl_c_at_the_prompt_writes_nothing(spawn, tmp_path: Path) -> None:
    child = spawn("new", "-o", "out")
    child.expect(r"Choose \[\d\]")
    child.sendintr()
    child.expect("interrupted; nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (tmp_path / "out").exists()


def test_the_extra_language_question_in_a_terminal(spawn, tmp_path: Path, templates_root) -> None:
    """A template with both language tasks: the domain answer asks which, and the answer sticks."""
    files = {"task.txt": "{{ cookiecutter.task }}\n"}
    choices = ["image-classification", "text-classification", "language-model"]
    fixture_template(templates_root, "pytorch", files=files, context={"task": choices})
    child = spawn("new", "--framework", "pytorch", "-a", "domain=language", "-o", "out")
    child.expect(r"Language \(text, NLP, LLMs\): which starter\?")
    child.expect(r"2\) Generate text")
    child.expect(r"Choose \[1\]")
    child.sendline("2")
    while child.expect([r"Choose \[\d\]|\[[^\]]*\]: ", "Created "]) == 0:
        child.sendline("")  # the template's own questions: their defaults
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "out" / "fixture-project" / "task.txt").read_text() == "language-model\n"


def test_the_packaged_pytorch_template_asks_which_language_starter(spawn, tmp_path: Path) -> None:
    """The real template offers both language tasks: the second answer writes the language
    model's starter."""
    child = spawn("new", "--framework", "pytorch", "-a", "domain=language", "-o", "out")
    child.expect(r"Language \(text, NLP, LLMs\): which starter\?")
    child.expect(r"1\) Classify texts")
    child.expect(r"2\) Generate text")
    child.expect(r"Choose \[1\]")
    child.sendline("2")
    while child.expect([r"Choose \[\d\]|\[[^\]]*\]: ", "Created "]) == 0:
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    (project,) = (tmp_path / "out").iterdir()
    assert project.name == "language-model" and (project / "src" / "language_model").is_dir()
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert record["context"]["cookiecutter"]["task"] == "language-model"


@pytest.mark.parametrize(
    ("number", "label", "slug", "task"),
    [
        ("3", "Speech and audio", "audio-classifier", "audio-classification"),
        ("4", "Recommendation or ranking", "recommender", "recommendation"),
        ("5", r"Generative media \(diffusion, GANs, VAEs\)", "image-generator", "generative"),
    ],
)
def test_a_domain_with_one_task_writes_its_starter(
    spawn, tmp_path: Path, number: str, label: str, slug: str, task: str
) -> None:
    """Every decision question answered at the prompt, then the domain: the packaged template's
    starter for it, with no second question."""
    child = spawn("new", "-o", "out")
    for _ in range(5):  # purpose, distributed, deployment, dataset size, experience: defaults
        child.expect(r"Choose \[\d\]")
        child.sendline("")
    child.expect("Problem domain")
    child.expect(rf"{number}\) {label}")
    child.expect(r"Choose \[\d\]")
    child.sendline(number)
    child.expect(r"Framework \(Enter accepts the recommendation\)")
    child.expect(r"Choose \[1\]")
    child.sendline("")
    child.expect("Project name")
    child.sendline("")
    while child.expect([r"Choose \[\d\]", "Created "]) == 0:
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "which starter" not in (child.before or "")
    (project,) = (tmp_path / "out").iterdir()
    assert project.name == slug
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert record["context"]["cookiecutter"]["task"] == task
