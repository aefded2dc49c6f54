"""Unit tests of generate.py: plan writes nothing, generate is all or nothing, merges roll back."""

from __future__ import annotations

import errno
import json
import os
import signal
import threading
from pathlib import Path

import pytest
from helpers import build_file_tree, fixture_template, tree_digest

from scaffolder import generate as gen
from scaffolder.checked import check_answers
from scaffolder.errors import OutputError, TargetExistsError, TemplateError, Terminated
from scaffolder.templates import Template, load_template

CONTEXT = {
    "project_name": "Fixture Project",
    "project_slug": "fixture-project",
    "package_name": "fixture_project",
    "license": "Apache-2.0",
    "python_version": "3.11",
    "accelerator": "cpu",
}
TEMPLATE_FILES = (".scaffold.json", "README.md", "src/fixture_project/__init__.py")


@pytest.fixture
def template(tmp_path: Path) -> Template:
    return load_template(fixture_template(tmp_path / "templates"))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(".scaffold-*")]


def user_project(out: Path) -> Path:
    """An existing project: the user's own files, one the template replaces, one in a shared dir."""
    return build_file_tree(
        out / "fixture-project",
        {
            "README.md": "# my readme\n",
            "notes.txt": "my notes\n",
            "src": {"mine.py": "x = 1\n"},
            "data": {"big.bin": b"\x00\x01" * 500},
        },
    )


class FailingRename:
    """os.rename that fails (or is interrupted) on its Nth call."""

    def __init__(self, n: int, exc: BaseException) -> None:
        self.n, self.exc, self.calls, self.real = n, exc, 0, os.rename

    def __call__(self, src, dst, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise self.exc
        return self.real(src, dst, *args, **kwargs)


# -- plan --------------------------------------------------------------------------------------------


def test_plan_writes_nothing(template: Template, out: Path, tmp_path: Path) -> None:
    before = tree_digest(tmp_path)
    plan = gen.plan(template, check_answers(template, CONTEXT), out, force=False)
    assert plan.target == out / "fixture-project"
    assert plan.files == TEMPLATE_FILES
    assert plan.overwritten == ()
    assert tree_digest(tmp_path) == before


def test_plan_for_a_missing_output_dir_creates_nothing(template: Template, tmp_path: Path) -> None:
    before = tree_digest(tmp_path)
    plan = gen.plan(template, check_answers(template, CONTEXT), tmp_path / "a" / "b", force=False)
    assert plan.files == TEMPLATE_FILES
    assert tree_digest(tmp_path) == before


def test_plan_with_force_lists_what_it_would_replace(template: Template, out: Path) -> None:
    user_project(out)
    before = tree_digest(out)
    plan = gen.plan(template, check_answers(template, CONTEXT), out, force=True)
    assert plan.overwritten == ("README.md",)
    assert tree_digest(out) == before


def test_plan_refuses_a_non_empty_target_without_force(template: Template, out: Path) -> None:
    user_project(out)
    with pytest.raises(TargetExistsError, match="--force"):
        gen.plan(template, check_answers(template, CONTEXT), out, force=False)


# -- generate: a new project -------------------------------------------------------------------------


def test_generate_creates_the_project_and_its_record(template: Template, out: Path) -> None:
    plan = gen.generate(
        template,
        check_answers(template, {**CONTEXT, "_decision": {"chosen": "PyTorch"}}),
        out,
        False,
    )
    project = out / "fixture-project"
    assert plan.target == project
    assert gen.list_files(project) == TEMPLATE_FILES
    assert (project / "README.md").read_text() == "# Fixture Project\n\nLicence: Apache-2.0\n"
    record = json.loads((project / gen.RECORD_FILE).read_text(encoding="utf-8"))
    assert record["template"] == "pytorch"
    assert record["template_version"] == "1.0.0"
    assert record["scaffold_version"]
    answers = record["context"]["cookiecutter"]
    assert {k: answers[k] for k in CONTEXT} == CONTEXT
    assert answers["_decision"] == {"chosen": "PyTorch"}
    assert not any(k.startswith("_") and k != "_decision" for k in answers)
    assert leftovers(out) == []


def test_generate_creates_missing_parents(template: Template, tmp_path: Path) -> None:
    gen.generate(template, check_answers(template, CONTEXT), tmp_path / "a" / "b", force=False)
    assert (tmp_path / "a" / "b" / "fixture-project" / "README.md").is_file()


def test_generate_into_an_empty_existing_dir(template: Template, out: Path) -> None:
    (out / "fixture-project").mkdir()
    gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert gen.list_files(out / "fixture-project") == TEMPLATE_FILES


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
def test_failing_hook_leaves_nothing(tmp_path: Path, out: Path, hook: str) -> None:
    source = "import pathlib, sys\npathlib.Path('partial.txt').write_text('x')\nsys.exit(3)\n"
    template = load_template(fixture_template(tmp_path / "t", hooks={f"{hook}.py": source}))
    before = tree_digest(tmp_path / "out")
    with pytest.raises(TemplateError, match="exit status: 3"):
        gen.generate(template, check_answers(template, CONTEXT), out / "new" / "dir", force=False)
    assert tree_digest(tmp_path / "out") == before
    assert leftovers(tmp_path) == []


def test_failing_move_keeps_created_parents_out(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen.os, "rename", FailingRename(1, OSError(errno.ENOSPC, "full")))
    with pytest.raises(OutputError, match="no space left"):
        gen.generate(template, check_answers(template, CONTEXT), tmp_path / "a" / "b", force=False)
    assert not (tmp_path / "a").exists()
    assert leftovers(tmp_path) == []


def test_failing_move_keeps_the_empty_target_dir(
    template: Template, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug fixed: the empty target was removed before the rename and not put back when it failed."""
    (out / "fixture-project").mkdir(mode=0o750)
    before = tree_digest(out)
    monkeypatch.setattr(gen.os, "rename", FailingRename(1, OSError(errno.EACCES, "denied")))
    with pytest.raises(OutputError, match="permission denied"):
        gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert tree_digest(out) == before


# -- generate --force: merging into an existing project -----------------------------------------------


def test_force_merge_keeps_user_files_and_replaces_template_files(
    template: Template, out: Path
) -> None:
    project = user_project(out)
    plan = gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert plan.overwritten == ("README.md",)
    assert (project / "README.md").read_text().startswith("# Fixture Project")
    assert (project / "notes.txt").read_text() == "my notes\n"
    assert (project / "src" / "mine.py").read_text() == "x = 1\n"
    assert (project / "data" / "big.bin").read_bytes() == b"\x00\x01" * 500
    assert (project / "src" / "fixture_project" / "__init__.py").is_file()
    assert (project / gen.RECORD_FILE).is_file()
    assert leftovers(out) == []


def test_force_merge_twice_is_stable(template: Template, out: Path) -> None:
    project = user_project(out)
    gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    first = tree_digest(project)
    gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert tree_digest(project) == first


# The merge makes 4 renames: .scaffold.json in; README.md to the backup, then in; __init__.py in.
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "exc",
    [OSError(errno.ENOSPC, "full"), OSError(errno.EIO, "I/O error"), KeyboardInterrupt()],
    ids=["ENOSPC", "EIO", "KeyboardInterrupt"],
)
def test_force_merge_rolls_back_fully_when_the_nth_rename_fails(
    template: Template, out: Path, monkeypatch: pytest.MonkeyPatch, n: int, exc: BaseException
) -> None:
    user_project(out)
    before = tree_digest(out)
    rename = FailingRename(n, exc)
    monkeypatch.setattr(gen.os, "rename", rename)
    with pytest.raises((OutputError, KeyboardInterrupt)):
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert rename.calls >= n  # the failure point was reached
    assert tree_digest(out) == before
    assert leftovers(out) == []


def test_force_merge_has_exactly_four_renames(
    template: Template, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards the parametrisation above: every rename of the merge is one of the failure points."""
    user_project(out)
    rename = FailingRename(0, OSError())
    monkeypatch.setattr(gen.os, "rename", rename)
    gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert rename.calls == 4


def test_force_merge_that_cannot_restore_keeps_the_originals(
    template: Template, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the rollback itself fails, the user's replaced file survives in a kept backup."""
    user_project(out)
    monkeypatch.setattr(gen.os, "rename", FailingRename(4, OSError(errno.EIO, "I/O error")))
    monkeypatch.setattr(gen.os, "replace", FailingRename(1, OSError(errno.EIO, "I/O error")))
    with pytest.raises(OutputError, match="the originals are kept in") as info:
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    backup = Path(str(info.value.message).rsplit(" ", 1)[-1])
    assert (backup / "README.md").read_text() == "# my readme\n"
    gen._KEEP.discard(backup.parent)


def test_force_merge_refuses_a_directory_where_a_file_goes(template: Template, out: Path) -> None:
    project = user_project(out)
    (project / "README.md").unlink()
    (project / "README.md").mkdir()
    before = tree_digest(out)
    with pytest.raises(TargetExistsError, match="is a directory"):
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert tree_digest(out) == before


def test_force_merge_refuses_a_file_where_a_directory_goes(template: Template, out: Path) -> None:
    project = user_project(out)
    (project / "src" / "fixture_project").write_text("a file\n")
    before = tree_digest(out)
    with pytest.raises(TargetExistsError, match="is a file but the template writes a directory"):
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert tree_digest(out) == before


# -- signals while files move: held, then the move is undone and the signal raised -------------------


def signal_on_nth_rename(monkeypatch: pytest.MonkeyPatch, n: int, signum: int) -> None:
    real, calls = os.rename, [0]

    def rename(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        calls[0] += 1
        if calls[0] == n:
            # To the main thread, as a signal to the single-threaded CLI arrives (a process-directed
            # one could go to another thread of a test runner that does not block it); held by the mask: pending until the move is done.
            signal.pthread_kill(threading.main_thread().ident, signum)

    monkeypatch.setattr(gen.os, "rename", rename)


def raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@pytest.fixture
def sigterm_raises():
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize(
    ("signum", "exc"),
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_during_merge_undoes_it(
    template: Template,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    sigterm_raises: None,
    n: int,
    signum: int,
    exc: type[BaseException],
) -> None:
    user_project(out)
    before = tree_digest(out)
    signal_on_nth_rename(monkeypatch, n, signum)
    with pytest.raises(exc):
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert tree_digest(out) == before
    assert leftovers(out) == []


@pytest.mark.parametrize(
    ("signum", "exc"),
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)],
    ids=["SIGINT", "SIGTERM"],
)
@pytest.mark.parametrize("empty_target", [False, True], ids=["absent", "empty-dir"])
def test_signal_during_the_final_rename_undoes_it(
    template: Template,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    sigterm_raises: None,
    signum: int,
    exc: type[BaseException],
    empty_target: bool,
) -> None:
    if empty_target:
        (out / "fixture-project").mkdir()
    before = tree_digest(out)
    signal_on_nth_rename(monkeypatch, 1, signum)
    with pytest.raises(exc):
        gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert tree_digest(out) == before
    assert leftovers(out) == []


def test_held_signal_whose_handler_returns_still_fails(
    template: Template, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that does not raise must not turn an undone move into a reported success."""
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        signal_on_nth_rename(monkeypatch, 1, signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(out.iterdir()) == []


def test_signals_are_unblocked_afterwards(template: Template, out: Path) -> None:
    gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) & {signal.SIGINT, signal.SIGTERM} == set()


# -- rendering and files -------------------------------------------------------------------------------


def test_render_refuses_a_template_without_cookiecutter_json(template: Template, out: Path) -> None:
    (template.path / "cookiecutter.json").unlink()
    with pytest.raises(TemplateError, match="missing or incomplete"):
        gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert list(out.iterdir()) == []


def test_symlink_target_is_refused(template: Template, out: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (out / "fixture-project").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(TargetExistsError, match="not a directory"):
        gen.generate(template, check_answers(template, CONTEXT), out, force=True)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_user_cookiecutterrc_is_ignored_and_nothing_lands_in_home(
    template: Template, out: Path, isolated_home: Path
) -> None:
    (isolated_home / ".cookiecutterrc").write_text(
        f"replay_dir: {isolated_home / 'replay'}\n"
        f"cookiecutters_dir: {isolated_home / 'cc'}\n"
        "default_context:\n  license: MIT\n  description: from rc\n"
    )
    before = tree_digest(isolated_home)
    gen.generate(template, check_answers(template, CONTEXT), out, force=False)
    assert tree_digest(isolated_home) == before
    record = json.loads((out / "fixture-project" / gen.RECORD_FILE).read_text())
    assert "description" not in record["context"]["cookiecutter"]
