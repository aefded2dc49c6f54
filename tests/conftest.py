from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "templates"))  # `harness`, as its tests import it

from harness import ProjectEnv, ProjectTests, Recorder, learned, start_project_tests
from installs import SHARED_VENVS, Installs, SharedInstalls

from scaffolder.cli import main

TRASH = "trash"  # under the session's base temporary directory
# The selected e2e modules' shared installs (their `INSTALLS`), in the order the modules run.
INSTALL_PLAN = pytest.StashKey[list[tuple[Path, Installs]]]()
LEARNED = pytest.StashKey[list[str]]()


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the real HOME or config, and the host is a plain CPU machine."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("SCAFFOLD_ACCELERATOR", "cpu")
    monkeypatch.delenv("SCAFFOLD_TEMPLATES", raising=False)
    return home


class Trash:
    """Directories moved into one folder at once (a rename) and deleted there by background
    processes: deleting a framework's venv takes tens of seconds (TensorFlow's files), which
    then overlap the next module instead of delaying it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir()
        self._deleting: list[subprocess.Popen] = []

    def discard(self, path: Path) -> None:
        target = self.root / str(len(self._deleting))
        os.rename(path, target)
        self._deleting.append(subprocess.Popen(["rm", "-rf", str(target)]))

    def wait(self) -> None:
        for process in self._deleting:
            process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def trash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trash]:
    deleting = Trash(tmp_path_factory.getbasetemp() / TRASH)
    yield deleting
    deleting.wait()


@pytest.fixture(scope="module", autouse=True)
def discard_venvs(tmp_path_factory: pytest.TempPathFactory, trash: Trash) -> Iterator[None]:
    """Delete the virtual environments a test module made once the module is done: the suite
    installs a dozen generated projects with their frameworks, a few GB each, and a CI disk holds
    only some of them at once. The projects and their runs stay for a failure's post-mortem."""
    yield
    base = tmp_path_factory.getbasetemp()
    for root, dirs, files in os.walk(base):
        if "pyvenv.cfg" in files:
            trash.discard(Path(root))
            dirs.clear()
        elif Path(root) == base:
            # The session's shared installs are deleted at its end; the trash is being deleted.
            dirs[:] = [d for d in dirs if d not in (SHARED_VENVS, TRASH)]


@pytest.fixture(scope="session", autouse=True)
def shared_installs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, trash: Trash
) -> Iterator[SharedInstalls]:
    """Made with the session's first test, so that the first e2e module's projects install in
    the background while the quick tests (which run first) run."""
    installs = SharedInstalls(tmp_path_factory.getbasetemp() / SHARED_VENVS, trash.discard)
    installs.prefetch([group for _, group in request.config.stash.get(INSTALL_PLAN, [])])
    yield installs
    installs.stop()
    shutil.rmtree(installs.root, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def release_shared_installs(
    request: pytest.FixtureRequest, shared_installs: SharedInstalls
) -> Iterator[None]:
    """Once a module is done, its shared installs that no later module lists are deleted."""
    modules = [path for path, _ in request.config.stash.get(INSTALL_PLAN, [])]
    yield
    if request.path in modules:
        shared_installs.finished(modules.index(request.path))


@pytest.fixture(scope="module")
def project_tests(env: ProjectEnv) -> Iterator[ProjectTests]:
    """The module's project (its `env` fixture) running its own tests in the background, from
    the module's first test on; `test_project_tests_pass`, last, checks them."""
    tests = start_project_tests(env)
    yield tests
    tests.stop()


@pytest.fixture(scope="session")
def record_learned(request: pytest.FixtureRequest) -> Recorder:
    """`record_learned(project, label, result)` keeps a line of what the run learned for the
    summary at the end of the session, and returns the result."""
    lines = request.config.stash.setdefault(LEARNED, [])

    def record(project: ProjectEnv, label: str, result: dict) -> dict:
        lines.append(learned(project, label, result))
        return result

    return record


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(LEARNED, [])
    if lines:
        terminalreporter.section("what the generated projects learned from the tests' data")
        for line in lines:
            terminalreporter.write_line(line)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def scaffold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `scaffold ARGS` in-process through the real entry point, in a fresh working directory.

    Exceptions that escape `main` surface in the test. The output is printed, so a failing assert shows it.
    """
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        with runner.isolation(input=input) as (out, err, *_):
            exit_code = main(list(args))
            stdout = out.getvalue().decode()
            stderr = err.getvalue().decode() if err is not None else ""
        print(f"$ scaffold {' '.join(args)}\n{stdout}{stderr}[exit {exit_code}]")
        return Result(exit_code, stdout, stderr)

    return run


@pytest.fixture
def templates_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory that `scaffold` uses as its templates (fill it with fixture_template)."""
    root = tmp_path / "templates"
    root.mkdir()
    monkeypatch.setenv("SCAFFOLD_TEMPLATES", str(root))
    return root


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # End-to-end tests last: a quick failure elsewhere shows before minutes of training.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    # The shared installs prefetch each module's while the module before it runs. A module's
    # quick tests run before every e2e one: its place is that of its e2e tests.
    plan: dict[Path, Installs] = {}
    for item in items:
        installs = getattr(getattr(item, "module", None), "INSTALLS", None)
        if installs is not None and item.get_closest_marker("e2e") is not None:
            plan.setdefault(item.path, tuple(installs))
    config.stash[INSTALL_PLAN] = list(plan.items())
