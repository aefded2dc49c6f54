"""The render gate: checked answers only, hooks that read answers as data, the sandbox renders like
Cookiecutter, hostile project records, trusted team workflows with branches, tags and SHAs, and the
one-line messages of broken input. Where a process boundary matters, `scaffold` runs as a real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fixture_template, git, one_line_error, run_real, tree_digest

from scaffolder import render as render_module
from scaffolder.checked import CheckedAnswers, check_answers
from scaffolder.errors import InvalidAnswerError, InvalidNameError
from scaffolder.templates import load_template

REPO = Path(__file__).resolve().parents[1]
HOOKS = REPO / "templates" / "_shared" / "hooks"
SLUG = "fixture-project"
TOUCH = 'touch "$HOSTILE_MARKER"'
PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('" + TOUCH + "').read() }}"


# -- the gate -------------------------------------------------------------------------------------


def test_only_the_checks_build_checked_answers(tmp_path: Path) -> None:
    template = load_template(fixture_template(tmp_path))
    with pytest.raises(TypeError):
        CheckedAnswers(template.path, {"project_name": "X"})
    with pytest.raises(TypeError, match="check_answers"):
        render_module.render(template, {"project_name": "X"}, tmp_path)  # type: ignore[arg-type]
    other = load_template(fixture_template(tmp_path / "other"))
    with pytest.raises(TypeError, match="checked for"):
        render_module.render(other, check_answers(template, {}), tmp_path)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"project_name": PAYLOAD}, InvalidAnswerError),
        ({"license": "GPL"}, InvalidAnswerError),
        ({"nope": "x"}, InvalidAnswerError),
        ({"package_name": "../../x"}, InvalidNameError),
        ({"package_name": "x'''); import os #"}, InvalidNameError),
        ({"project_slug": "../escape"}, InvalidNameError),
        ({"_decision": {"reasons": [PAYLOAD]}}, InvalidAnswerError),
        ({"_decision": {"a": [[[[[[[[[[["deep"]]]]]]]]]]]}}, InvalidAnswerError),
        ({"project_name": "tab\tname"}, InvalidAnswerError),
        ({"license": "MIT\x1b[2J"}, InvalidAnswerError),
    ],
    ids=[
        "jinja",
        "choice",
        "unknown",
        "package-path",
        "package-quote",
        "slug-path",
        "decision-jinja",
        "decision-deep",
        "control-name",
        "control-value",
    ],
)
def test_check_answers_refuses(tmp_path: Path, values: dict, error: type) -> None:
    template = load_template(fixture_template(tmp_path))
    with pytest.raises(error):
        check_answers(template, values)


def test_values_in_file_names_stay_one_component(tmp_path: Path) -> None:
    template = load_template(
        fixture_template(
            tmp_path,
            context={"folder": "data"},
            files={"{{ cookiecutter.folder }}": {"x.txt": "x"}},
        )
    )
    assert check_answers(template, {"folder": "images"})["folder"] == "images"
    for bad in ("../../x", "a/b", "..", "a\\b"):
        with pytest.raises(InvalidAnswerError, match="one name"):
            check_answers(template, {"folder": bad})


# -- hooks read answers as data --------------------------------------------------------------------

HOSTILE_VALUES = [
    "x'''); import os; os.system('" + TOUCH + "') #",
    'x"""); import os; os.system(\'' + TOUCH + "') #",
    "x\\'''",
    "</script>&<>'\"\n\\u0000",
    "\\",
]


def render_hook(name: str, context: dict) -> str:
    from cookiecutter.environment import StrictEnvironment

    env = StrictEnvironment(context={"cookiecutter": context}, keep_trailing_newline=True)
    return env.from_string((HOOKS / name).read_text(encoding="utf-8")).render(cookiecutter=context)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_pre_gen_hook_reads_a_hostile_value_as_data(tmp_path: Path, value: str) -> None:
    source = render_hook("pre_gen_project.py", {"package_name": value, "project_slug": value})
    script = tmp_path / "hook.py"
    script.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "HOSTILE_MARKER": str(tmp_path / "MARKER")},
    )
    assert result.returncode == 1, result.stderr
    assert f"package name {value!r} is not a valid" in result.stderr
    assert not (tmp_path / "MARKER").exists()


def test_pre_gen_hook_accepts_good_names(tmp_path: Path) -> None:
    source = render_hook(
        "pre_gen_project.py", {"package_name": "cat_net", "project_slug": "cat-net"}
    )
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["yes", "no", *HOSTILE_VALUES])
def test_post_gen_hook_reads_answers_as_data(tmp_path: Path, value: str) -> None:
    (tmp_path / ".github").mkdir()
    for name in ("Dockerfile", ".dockerignore"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    context = {
        "task": "image-classification",
        "github_actions": value,
        "dockerfile": "yes",
        "cluster_launchers": "yes",
        "backend": value,
        "package_name": "cat_net",
    }
    source = render_hook("post_gen_project.py", context)
    result = subprocess.run(
        [sys.executable, "-c", source],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "HOSTILE_MARKER": str(tmp_path / "MARKER")},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".github").exists() == (value == "yes")
    assert (tmp_path / "Dockerfile").exists()
    assert not (tmp_path / "MARKER").exists()


@pytest.mark.parametrize("task", ["tabular", "../outside", *HOSTILE_VALUES])
def test_post_gen_hook_moves_only_a_task_the_template_has(tmp_path: Path, task: str) -> None:
    """The chosen task's files move into place; a value naming anything else is refused."""
    (tmp_path / "_tasks" / "tabular" / "src").mkdir(parents=True)
    (tmp_path / "_tasks" / "tabular" / "src" / "model.py").write_text("x", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("x", encoding="utf-8")
    context = {
        "task": task,
        "github_actions": "yes",
        "dockerfile": "yes",
        "cluster_launchers": "yes",
        "package_name": "cat_net",
    }
    result = subprocess.run(
        [sys.executable, "-c", render_hook("post_gen_project.py", context)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "HOSTILE_MARKER": str(tmp_path / "MARKER")},
    )
    assert not (tmp_path / "MARKER").exists()
    if task == "tabular":
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "src" / "model.py").is_file() and not (tmp_path / "_tasks").exists()
    else:
        assert result.returncode == 1 and "has no task" in result.stderr, result.stderr
        assert not (tmp_path / "secret.txt").exists() and not (tmp_path / "src").exists()


# -- the sandbox renders what Cookiecutter renders ------------------------------------------------

RICH_FILES = {
    "README.md": "# {{ cookiecutter.project_name }}\n{% if cookiecutter.license == 'MIT' %}\nMIT\n"
    "{% endif %}\n{{ cookiecutter.__greeting }} {{ cookiecutter.project_slug|slugify }}\n",
    "crlf.txt": "one\r\n{{ cookiecutter.license }}\r\n",
    "raw": {"keep.txt": "{{ not rendered }}\n"},
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00{{ x }}\xff",
    "{{ cookiecutter.package_name }}.py": "NAME = {{ cookiecutter.project_name | tojson }}\n",
    "run.sh": "#!/bin/sh\necho {{ cookiecutter.project_slug }}\n",
    "data.json": "{{ cookiecutter.__meta | jsonify }}\n",
    "inc.txt": "{% include 'part.txt' %}",
    "part.txt": "part of {{ cookiecutter.project_name }}\n",
}
RICH_CONTEXT = {
    "__greeting": "Hello {{ cookiecutter.project_name }}",
    "__meta": {"name": "{{ cookiecutter.project_slug }}", "n": 2},
    "_copy_without_render": ["raw/*"],
    "_jinja2_env_vars": {"trim_blocks": True, "lstrip_blocks": True},
}


def test_sandbox_renders_like_cookiecutter(tmp_path: Path) -> None:
    from dataclasses import replace

    from scaffolder.generate import list_files

    path = fixture_template(tmp_path / "t", "team", files=RICH_FILES, context=RICH_CONTEXT)
    (path / "{{cookiecutter.project_slug}}" / "run.sh").chmod(0o755)
    base = load_template(path)
    outputs = []
    for trusted in (False, True):
        template = replace(base, source=str(path), trusted=trusted)
        answers = check_answers(template, {"project_name": "Cat Net", "license": "MIT"})
        into = tmp_path / f"out-{trusted}"
        into.mkdir()
        project, context = render_module.render(template, answers, into)
        assert context["__greeting"] == "Hello Cat Net"
        files = list_files(project)
        outputs.append(
            {f: ((project / f).read_bytes(), os.access(project / f, os.X_OK)) for f in files}
        )
    sandboxed, cookiecutter = outputs
    assert sandboxed == cookiecutter
    assert sandboxed["raw/keep.txt"][0] == b"{{ not rendered }}\n"
    assert sandboxed["crlf.txt"][0] == b"one\r\nMIT\r\n"
    assert sandboxed["run.sh"][1] is True


# -- hostile project records ----------------------------------------------------------------------


@pytest.fixture
def packaged_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project from a packaged template (with the shared pre_gen hook), committed."""
    templates = tmp_path / "templates"
    hook = (HOOKS / "pre_gen_project.py").read_text(encoding="utf-8")
    fixture_template(templates, hooks={"pre_gen_project.py": hook})
    result = run_real(
        tmp_path, "new", "--no-input", "--framework", "pytorch", SCAFFOLD_TEMPLATES=str(templates)
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / SLUG
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project, templates


def edit_record(project: Path, change) -> None:
    path = project / ".scaffold.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")
    git(project, "commit", "-qam", "edited record")


def _answer(key: str, value: object):
    return lambda r: r["context"]["cookiecutter"].__setitem__(key, value)


RECORDS = {
    "jinja in an answer": (_answer("project_name", PAYLOAD), "contains template syntax"),
    "jinja in the decision": (_answer("_decision", {"reasons": [PAYLOAD]}), "template syntax"),
    "quote in package_name": (_answer("package_name", "x'''); import os #"), "not a valid"),
    "package_name outside": (_answer("package_name", "../../escaped"), "not a valid"),
    "slug outside": (_answer("project_slug", "../../escaped"), "directory name"),
    "unknown template": (lambda r: r.__setitem__("template", "../../etc"), "no template named"),
    "answers not a mapping": (lambda r: r["context"].__setitem__("cookiecutter", [1]), "missing"),
    "choice outside": (_answer("license", "GPL; rm -rf"), "not allowed"),
}


@pytest.mark.parametrize("case", sorted(RECORDS))
@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_hostile_record_is_refused(
    packaged_project, tmp_path: Path, case: str, dry_run: bool
) -> None:
    project, templates = packaged_project
    change, phrase = RECORDS[case]
    edit_record(project, change)
    before = tree_digest(tmp_path, skip=(SLUG, "systmp"))
    worktree = tree_digest(project, skip=(".git",))
    head = git(project, "rev-parse", "HEAD")
    args = ["update", *(["--dry-run"] if dry_run else []), str(project)]
    message = one_line_error(run_real(tmp_path, *args, SCAFFOLD_TEMPLATES=str(templates)))
    assert phrase in message
    assert not (tmp_path / "MARKER").exists()
    assert tree_digest(tmp_path, skip=(SLUG, "systmp")) == before
    assert (
        tree_digest(project, skip=(".git",)) == worktree
        and git(project, "rev-parse", "HEAD") == head
    )
    assert list((tmp_path / "systmp").iterdir()) == []


@pytest.mark.parametrize(
    ("assignment", "phrase"),
    [
        ("package_name=../../escaped", "not a valid"),
        ("package_name=x'''); import os; os.system('" + TOUCH + "') #", "not a valid"),
        ("project_slug=../../escaped", "directory name"),
        ("project_name=" + PAYLOAD, "template syntax"),
        ("nope=1", "unknown template variable"),
    ],
    ids=["package-path", "package-quote", "slug-path", "jinja", "unknown"],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_update_set_goes_through_the_checks(
    packaged_project, tmp_path: Path, assignment: str, phrase: str, dry_run: bool
) -> None:
    project, templates = packaged_project
    before = tree_digest(tmp_path, skip=(SLUG, "systmp"))
    args = ["update", *(["--dry-run"] if dry_run else []), "--set", assignment, str(project)]
    message = one_line_error(run_real(tmp_path, *args, SCAFFOLD_TEMPLATES=str(templates)))
    assert phrase in message
    assert not (tmp_path / "MARKER").exists()
    assert tree_digest(tmp_path, skip=(SLUG, "systmp")) == before
    assert git(project, "status", "--porcelain") == ""
