"""Trusted team templates at a branch, a tag with '/' and a SHA, then `check` and `update`; and one
clear line for every broken input: failing hooks, broken templates, deep files, long paths, long values,
directories named with Jinja. `scaffold` runs as a real process where the process boundary matters.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import fixture_template, git, one_line_error, run_real

SLUG = "fixture-project"
PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch \"$HOSTILE_MARKER\"').read() }}"


# -- trusted team templates: hooks, branches, tags with '/', SHAs ---------------------------------


def team_repo(tmp_path: Path) -> Path:
    hooks = {"post_gen_project.py": "open('HOOK_RAN', 'w').write('yes')\n"}
    template = fixture_template(tmp_path / "team", "ml-template", hooks=hooks)
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v1")
    git(template, "branch", "develop")
    git(template, "tag", "release/v1.0")
    return template


def later_commit(template: Path, branch: str) -> None:
    git(template, "checkout", "-q", branch)
    (template / "{{cookiecutter.project_slug}}" / "LATER.md").write_text(
        "later\n", encoding="utf-8"
    )
    git(template, "add", "-A")
    git(template, "commit", "-qm", "later")
    git(template, "checkout", "-q", "main")


@pytest.mark.parametrize("kind", ["branch", "tag", "sha"])
def test_trusted_team_template_with_a_ref_then_check_and_update(tmp_path: Path, kind: str) -> None:
    template = team_repo(tmp_path)
    ref = {
        "branch": "develop",
        "tag": "release/v1.0",
        "sha": git(template, "rev-parse", "HEAD").strip(),
    }[kind]
    url = f"file://{template}"
    created = run_real(
        tmp_path, "new", "--no-input", "--template", url, "--checkout", ref, "--trust"
    )
    assert created.returncode == 0, created.stderr
    project = tmp_path / SLUG
    assert (project / "HOOK_RAN").read_text(encoding="utf-8") == "yes", "the trusted hook ran"
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert (record["template_source"], record["template_checkout"]) == (url, ref)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    later_commit(template, "develop")
    checked = run_real(tmp_path, "check", str(project))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    untrusted = run_real(tmp_path, "update", str(project))
    assert "runs code" in one_line_error(untrusted)
    updated = run_real(tmp_path, "update", "--trust", str(project))
    assert updated.returncode == 0, updated.stderr
    assert (project / "LATER.md").exists() == (kind == "branch"), "a branch moves, a tag does not"
    assert git(project, "status", "--porcelain") == ""


def test_an_unknown_ref_is_one_line(tmp_path: Path) -> None:
    template = team_repo(tmp_path)
    result = run_real(
        tmp_path, "new", "--no-input", "--template", f"file://{template}", "--checkout", "nope"
    )
    assert "no branch, tag or commit 'nope'" in one_line_error(result)


# -- reliability: one line for every input error ---------------------------------------------------


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return tmp_path / "templates"


def packaged(templates: Path, **kwargs) -> None:
    shutil.rmtree(templates, ignore_errors=True)
    fixture_template(templates, **kwargs)


@pytest.mark.parametrize(
    ("hook", "phrase"),
    [
        (
            "import sys\nprint('no GPU on this machine', file=sys.stderr)\nsys.exit(3)\n",
            "no GPU on this machine",
        ),
        ("raise ValueError('boom')\n", "ValueError: boom"),
    ],
    ids=["message", "exception"],
)
def test_a_failing_hook_is_one_line_quoting_it(
    tmp_path: Path, templates: Path, hook: str, phrase: str
) -> None:
    packaged(templates, hooks={"pre_gen_project.py": hook})
    result = run_real(
        tmp_path, "new", "--no-input", "--framework", "pytorch", SCAFFOLD_TEMPLATES=str(templates)
    )
    message = one_line_error(result)
    assert phrase in message and "hook" in message
    assert not (tmp_path / SLUG).exists()
    assert list((tmp_path / "systmp").iterdir()) == []


def test_no_temp_files_are_left_by_the_packaged_templates(tmp_path: Path) -> None:
    result = run_real(tmp_path, "new", "--no-input", "--framework", "pytorch")
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "systmp").iterdir()) == []


@pytest.mark.parametrize("where", ["cwd", "-o"])
def test_a_directory_named_with_jinja_is_not_rendered(
    tmp_path: Path, templates: Path, where: str
) -> None:
    packaged(templates)
    odd = tmp_path / PAYLOAD.replace("/", "")
    odd.mkdir()
    args = ["new", "--no-input", "--framework", "pytorch"]
    if where == "-o":
        result = run_real(
            tmp_path, *args, "-o", str(odd / "out"), SCAFFOLD_TEMPLATES=str(templates)
        )
        project = odd / "out" / SLUG
    else:
        result = run_real(tmp_path, *args, cwd=odd, SCAFFOLD_TEMPLATES=str(templates))
        project = odd / SLUG
    assert result.returncode == 0, result.stderr
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# Fixture Project")
    assert not (tmp_path / "MARKER").exists()
    assert [p.name for p in odd.iterdir()] == [project.relative_to(odd).parts[0]]


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
        ("one\n{% if %}\n", "line 2"),
        ("{% include 'nowhere.txt' %}", "includes 'nowhere.txt'"),
        ("{{ cookiecutter.nope }}", "nope"),
    ],
    ids=["zero-division", "syntax", "missing-include", "undefined"],
)
def test_a_broken_packaged_template_is_one_line(
    scaffold, templates_root: Path, body: str, phrase: str
) -> None:
    fixture_template(templates_root, files={"README.md": body})
    result = scaffold("new", "--no-input", "--framework", "pytorch")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
    assert phrase in result.stderr and "failed to render" in result.stderr
    assert "cannot write" not in result.stderr


def test_input_errors_are_one_clear_line(scaffold, templates_root: Path, tmp_path: Path) -> None:
    fixture_template(templates_root)
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"variables": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("variables: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    cases = [
        (["--answers", str(deep_json)], 1, "nested too deeply"),
        (["--preset", str(deep_yaml)], 1, "nested too deeply"),
        (["-o", str(tmp_path / ("x" * 300))], 2, "allows"),
        (["-o", str(tmp_path / "/".join(["d" * 200] * 25))], 2, "allows"),
        (["--set", "project_name=" + "N" * 5_000_000], 1, "characters long"),
    ]
    for extra, code, phrase in cases:
        result = scaffold("new", "--no-input", "--framework", "pytorch", *extra)
        assert result.exit_code == code and "Traceback" not in result.output
        assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
        assert phrase in result.stderr and len(result.stderr) < 1000
    assert list(Path(".").iterdir()) == []


def test_messages_escape_control_characters_and_are_capped() -> None:
    from scaffolder.cli_options import printable

    assert printable("v\x1b]0;x\x07\n") == "v\\x1b]0;x\\x07\\n"
    assert len(printable("a" * 10_000, 100)) < 150
