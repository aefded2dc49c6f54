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

from harness import SHARED_VENVS, SharedInstalls

from scaffolder.cli import main

TRASH = "trash"  # under the session's base temporary directory
INSTALL_ORDER = pytest.StashKey[list[tuple[str, ...]]]()


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


@pytest.fixture(scope="session")
def shared_installs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, trash: Trash
) -> Iterator[SharedInstalls]:
    installs = SharedInstalls(tmp_path_factory.getbasetemp() / SHARED_VENVS, trash.discard)
    installs.prefetch(request.config.stash.get(INSTALL_ORDER, []))
    yield installs
    installs.stop()
    shutil.rmtree(installs.root, ignore_errors=True)


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
    # The projects the selected e2e modules install (their `INSTALL`), in the order they run:
    # the shared installs prefetch each while the module before it runs.
    order: list[tuple[str, ...]] = []
    for item in items:
        args = getattr(getattr(item, "module", None), "INSTALL", None)
        if args is not None and args not in order:
            order.append(args)
    config.stash[INSTALL_ORDER] = order
