"""`scaffold check` and `scaffold update` against a fixture template that moves from version 1 to 2."""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
from pathlib import Path

import pytest
from helpers import fixture_template, git, tree_digest

README_V1 = "# {{ cookiecutter.project_name }}\n\nline two\nline three\nline four\n"
SCRIPT = "#!/bin/sh\necho run\n"


def v1_files() -> dict:
    return {
        "README.md": README_V1,
        "run.sh": SCRIPT,
        "notes.md": "Ünïcödé notes: 数据\nsecond\n",
        "old.txt": "to be deleted by the user\n",
    }


def write_version(root: Path, version: str, files: dict) -> None:
    fixture_template(root, "pytorch", files=files, context={"_template_version": version})
    script = root / "pytorch" / "{{cookiecutter.project_slug}}" / "run.sh"
    if script.exists():
        script.chmod(0o755)


@pytest.fixture
def project(scaffold, templates_root: Path, tmp_path: Path) -> Path:
    """A project generated from version 1, committed, then edited and committed by its user."""
    write_version(templates_root, "1.0.0", v1_files())
    assert scaffold("new", "--no-input", "--framework", "pytorch").exit_code == 0
    project = Path("fixture-project").resolve()
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.name", "T")
    git(project, "config", "user.email", "t@x")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("line four", "line four, mine"), encoding="utf-8"
    )
    (project / "old.txt").unlink()
    (project / "mine.py").write_text("print('mine')\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "my changes")
    return project


def test_update_keeps_user_edits_and_brings_new_lines_and_files(
    scaffold, project: Path, templates_root: Path
) -> None:
    files = v1_files()
    files["README.md"] = README_V1.replace("line two", "line two, improved")
    files["notes.md"] = "Ünïcödé notes: 数据 (v2)\nsecond\n"
    files["added.toml"] = "new = true\n"
    write_version(templates_root, "2.0.0", files)
    before = scaffold("check", str(project), "--json")
    assert before.exit_code == 1
    assert json.loads(before.stdout)["up_to_date"] is False

    result = scaffold("update", str(project))
    assert result.exit_code == 0, result.output
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "line two, improved" in readme and "line four, mine" in readme
    assert (project / "added.toml").read_text(encoding="utf-8") == "new = true\n", (
        "new template files arrive"
    )
    assert not (project / "old.txt").exists(), "a file the user deleted stays deleted"
    assert (project / "mine.py").exists()
    assert (project / "notes.md").read_text(encoding="utf-8").startswith("Ünïcödé notes: 数据 (v2)")
    assert os.stat(project / "run.sh").st_mode & stat.S_IXUSR, "the executable bit survives"
    assert git(project, "status", "--porcelain") == ""
    after = scaffold("check", str(project))
    assert after.exit_code == 0 and "up to date" in after.stdout

    head = git(project, "rev-parse", "HEAD")
    again = scaffold("update", str(project))
    assert again.exit_code == 0 and "Nothing to update" in again.stdout
    assert git(project, "rev-parse", "HEAD") == head, "a second update is a no-op"


def test_update_conflict_is_left_to_git(scaffold, project: Path, templates_root: Path) -> None:
    files = v1_files()
    files["README.md"] = README_V1.replace("line four", "line four, theirs")
    write_version(templates_root, "2.0.0", files)
    result = scaffold("update", str(project))
    assert result.exit_code == 1
    assert "conflicts in README.md" in result.stderr
    text = (project / "README.md").read_text(encoding="utf-8")
    assert "line four, mine" in text and "line four, theirs" in text and "<<<<<<<" in text
    assert (project / "mine.py").exists()


def test_update_refuses_a_dirty_tree(scaffold, project: Path, templates_root: Path) -> None:
    write_version(templates_root, "2.0.0", {**v1_files(), "added.toml": "x = 1\n"})
    (project / "mine.py").write_text("print('unsaved')\n", encoding="utf-8")
    digest = tree_digest(project)
    result = scaffold("update", str(project))
    assert result.exit_code == 1 and "uncommitted changes" in result.stderr
    assert tree_digest(project) == digest


def test_dry_run_shows_the_diff_and_changes_nothing(
    scaffold, project: Path, templates_root: Path
) -> None:
    write_version(templates_root, "2.0.0", {**v1_files(), "added.toml": "x = 1\n"})
    digest = tree_digest(project, skip=(".git",))
    branches = git(project, "branch", "--list")
    result = scaffold("update", str(project), "--dry-run")
    assert result.exit_code == 0
    assert "added.toml" in result.stdout and "+x = 1" in result.stdout
    assert tree_digest(project, skip=(".git",)) == digest
    assert git(project, "branch", "--list") == branches


def test_update_set_changes_a_recorded_answer(
    scaffold, project: Path, templates_root: Path
) -> None:
    result = scaffold("update", str(project), "--set", "license=Apache-2.0")
    assert result.exit_code == 0, result.output
    record = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))
    assert record["context"]["cookiecutter"]["license"] == "Apache-2.0"
    bad = scaffold("update", str(project), "--set", "license=GPL")
    assert bad.exit_code == 1 and "choose one of" in bad.stderr


def test_check_policy_and_not_a_project(scaffold, project: Path, tmp_path: Path) -> None:
    preset = tmp_path / "team.toml"
    preset.write_text('allowed_frameworks = ["keras"]\n', encoding="utf-8")
    result = scaffold("check", str(project), "--preset", str(preset), "--json")
    assert result.exit_code == 1
    assert "outside the preset's policy" in json.loads(result.stdout)["problems"][0]
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = scaffold("check", str(empty))
    assert missing.exit_code == 1 and "not generated by scaffold" in missing.stderr


def test_update_needs_a_committed_project(scaffold, templates_root: Path) -> None:
    write_version(templates_root, "1.0.0", v1_files())
    assert scaffold("new", "--no-input", "--framework", "pytorch").exit_code == 0
    result = scaffold("update", "fixture-project")
    assert result.exit_code == 1 and "not a git repository" in result.stderr


def test_update_never_replaces_an_ignored_file(
    scaffold, project: Path, templates_root: Path
) -> None:
    (project / ".gitignore").write_text("local.cfg\n", encoding="utf-8")
    git(project, "add", ".gitignore")
    git(project, "commit", "-qm", "ignore local settings")
    (project / "local.cfg").write_text("my settings\n", encoding="utf-8")
    write_version(templates_root, "2.0.0", {**v1_files(), "local.cfg": "template = 1\n"})
    head = git(project, "rev-parse", "HEAD")
    branches = git(project, "branch", "--list")
    refused = scaffold("update", str(project))
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert "local.cfg" in refused.stderr and "--force" in refused.stderr
    assert (project / "local.cfg").read_text(encoding="utf-8") == "my settings\n"
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "branch", "--list") == branches
    forced = scaffold("update", "--force", str(project))
    assert forced.exit_code == 0, forced.output
    assert "Merged template" in forced.stdout
    assert (project / "local.cfg").read_text(encoding="utf-8") == "template = 1\n"


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_during_the_merge_restores_work_tree_and_index(
    scaffold,
    project: Path,
    templates_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: int,
    code: int,
) -> None:
    from scaffolder import merge

    files = v1_files()
    files["README.md"] = README_V1.replace("line two", "line two, improved")
    write_version(templates_root, "2.0.0", {**files, "added.toml": "new = true\n"})
    real = merge.git

    def git_then_signal(where: Path, *args: str, **kwargs):
        result = real(where, *args, **kwargs)
        if args[0] == "merge" and "--abort" not in args:
            # To the main thread, as a signal to the single-threaded CLI arrives (a process-directed
            # one could go to another thread of a test runner that does not block it); arrives while the merge result is in place.
            signal.pthread_kill(threading.main_thread().ident, signum)
        return result

    monkeypatch.setattr(merge, "git", git_then_signal)
    head = git(project, "rev-parse", "HEAD")
    digest = tree_digest(project, skip=(".git",))
    result = scaffold("update", str(project))
    assert result.exit_code == code
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain", "--ignored") == ""
    assert tree_digest(project, skip=(".git",)) == digest
