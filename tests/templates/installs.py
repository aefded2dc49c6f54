"""Generated projects installed as users install them, and shared across a test session.

A project is made with `scaffold new` and installed by running its own printed install step in a
fresh virtual environment that sees nothing of the test environment, so an undeclared dependency
fails there as it would on a user's machine. Framework builds are pinned with
`tests/constraints.txt`. `SharedInstalls` makes each such install once per session, for the
modules that name it in their `INSTALLS`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness import REPO, ProjectEnv, ProjectTests, generate, start_project_tests

# This network reaches PyPI (and pip's configured mirrors) only. The printed PyTorch step names the
# PyTorch wheel index; here pip's own configuration serves the same CPU build, so the index is dropped
# and nothing else of the printed command changes.
UNREACHABLE_INDEX = re.compile(r" --index-url https://download\.pytorch\.org/whl/\S+")
# Framework builds are pinned with a constraint file, as a user's lock would: an unpinned torch would
# resolve to several GB of CUDA packages.
CONSTRAINTS = REPO / "tests" / "constraints.txt"


def _pip_env(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.update(PIP_CONSTRAINT=str(CONSTRAINTS), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def install_from_steps(project: Path, steps: Sequence[str]) -> ProjectEnv:
    """Run the printed install step in the project, in a venv that sees only what the project
    declares (no access to the test environment's packages), with framework builds pinned."""
    install = next(step for step in steps if "pip install" in step)
    command = UNREACHABLE_INDEX.sub("", install)
    # `python` is the interpreter running the tests, but the venv made from it has none of its packages.
    env = _pip_env(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", "-c", f"set -e; {command}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=1800,
    )
    assert result.returncode == 0, (
        f"{command} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
    )
    return ProjectEnv(root=project, venv=project / ".venv")


def install_generated(output_dir: Path, *args: str) -> ProjectEnv:
    """Generate a project with scaffold and install it exactly as its printed steps say."""
    project, steps = generate(output_dir, *args)
    return install_from_steps(project, steps)


def install_beside(base: ProjectEnv, output_dir: Path, *args: str) -> ProjectEnv:
    """Generate a project and install it with its printed pip step into `base`'s existing venv,
    not a fresh one: for another task on a Keras backend whose clean install the image project
    already proves, so the suite pays for each framework's packages once."""
    project, steps = generate(output_dir, *args)
    install = next(step for step in steps if "pip install" in step)
    pip = UNREACHABLE_INDEX.sub("", install[install.index("pip install") :])
    env = {**_pip_env(base.bin), "VIRTUAL_ENV": str(base.venv)}
    result = subprocess.run(
        ["bash", "-c", f"set -e; {pip}"], cwd=project, env=env, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=1800,
    )  # fmt: skip
    assert result.returncode == 0, f"{pip} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
    return ProjectEnv(root=project, venv=base.venv)


def pip_install(project: ProjectEnv, *args: str) -> None:
    """`pip install ARGS` in the project's venv and directory, framework builds pinned: for an
    optional extra its printed steps leave out."""
    command = [str(project.bin / "python"), "-m", "pip", "install", "--quiet", *args]
    env = {**_pip_env(project.bin), "VIRTUAL_ENV": str(project.venv)}
    result = subprocess.run(
        command, cwd=project.root, env=env, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=1800,
    )  # fmt: skip
    assert result.returncode == 0, f"{command} failed:\n{result.stderr[-4000:]}"


# Under the session's base temporary directory: venvs that outlive a test module.
SHARED_VENVS = "shared-venvs"

Install = tuple[str, ...]  # the `scaffold new` arguments of a shared install
Installs = tuple[Install, ...]  # a test module's shared installs (its `INSTALLS`)


class SharedInstalls:
    """Projects generated and installed (as their printed steps say) once per test session, keyed
    by their `scaffold new` arguments, for the modules that build on them. Thread-safe: a module
    may ask for several at once, and `prefetch` installs the next modules' projects in the
    background while the current module runs (pip waits on the disk; the tests on the CPU)."""

    def __init__(self, root: Path, discard: Callable[[Path], None] = shutil.rmtree) -> None:
        self.root, self._discard = root, discard
        self._lock = threading.Lock()
        self._keys: dict[Install, tuple[threading.Lock, int]] = {}
        self._done: dict[Install, ProjectEnv] = {}
        self._plan: list[Installs] = []
        self._asked = threading.Condition()
        self._latest = -1  # the furthest module of `_plan` that has asked for an install
        self._stopped = False
        self._prefetcher: threading.Thread | None = None

    def get(self, *args: str) -> ProjectEnv:
        with self._asked:
            first = next((i for i, group in enumerate(self._plan) if args in group), None)
            if first is not None and first > self._latest:
                self._latest = first
                self._asked.notify_all()
        return self._install(args)

    def _install(self, args: Install) -> ProjectEnv:
        with self._lock:
            key_lock, number = self._keys.setdefault(args, (threading.Lock(), len(self._keys)))
        with key_lock:
            if args not in self._done:
                output_dir = self.root / str(number)
                output_dir.mkdir(parents=True, exist_ok=True)
                self._done[args] = install_generated(output_dir, *args)
            return self._done[args]

    def prefetch(self, plan: Sequence[Installs], ahead: int = 1) -> None:
        """Install `plan` (each module's installs, in the order the modules run) one at a time
        in a background thread, for at most `ahead` modules past the furthest one that has
        asked for an install, so that a disk holds a few venvs at once, not all of them. The
        first module's are made before it asks: during the tests that run before it. An install
        that fails here is left for its module, which installs again and reports the failure."""
        self._plan = [tuple(group) for group in plan]

        def run() -> None:
            for i, group in enumerate(self._plan):
                with self._asked:
                    while not self._stopped and i > self._latest + ahead:
                        self._asked.wait()
                for args in group:
                    if self._stopped:
                        return
                    try:
                        self._install(args)
                    except BaseException:
                        continue

        self._prefetcher = threading.Thread(target=run, name="prefetch-installs", daemon=True)
        self._prefetcher.start()

    def stop(self) -> None:
        """End prefetching; an install under way finishes first."""
        with self._asked:
            self._stopped = True
            self._asked.notify_all()
        if self._prefetcher is not None:
            self._prefetcher.join()

    def finished(self, module: int) -> None:
        """Module `module` of the plan is done: release its installs that no later module
        lists."""
        later = {args for group in self._plan[module + 1 :] for args in group}
        for args in self._plan[module]:
            if args not in later:
                self.release(*args)

    def release(self, *args: str) -> None:
        """Delete an install's venv (the project and its runs stay); a later `get` installs it
        again."""
        with self._lock:
            key_lock = self._keys.get(args, (threading.Lock(), 0))[0]
        with key_lock:
            done = self._done.pop(args, None)
            if done is not None and done.venv.is_dir():
                self._discard(done.venv)


def task_install(framework: str, task: str = "") -> Install:
    """The `scaffold new` arguments of a template's project for `task` (empty: the default,
    image classification), as an e2e module's `INSTALLS` name them."""
    return ("--framework", framework, *(("--set", f"task={task}") if task else ()))


def keras_image(backend: str) -> Install:
    """The Keras image project on `backend`: the one whose venv the other Keras tasks share."""
    return ("--framework", "keras", "--set", f"backend={backend}",
            "--set", f"project_name=Keras {backend} e2e")  # fmt: skip


KERAS_BACKENDS = ("tensorflow", "jax", "torch")


def run_preset_tests(project: ProjectEnv, after: ProjectTests) -> str:
    """Once the module's project tests (`after`) are done, install the `pretrained` extra as the
    project's README says (pip must not change packages under running tests), then run the
    project's own preset tests (`pytest -m pretrained`); their output."""
    after.wait()
    pip_install(project, "-e", ".[pretrained]")
    return start_project_tests(project, "-m", "pretrained").result(timeout=900)


@dataclasses.dataclass(frozen=True)
class KerasTaskProjects:
    """A Keras task's projects, one per backend; `project_name` may name the backend as
    "{backend}" (empty: the template's default)."""

    task: str
    project_name: str = ""

    def args(self, backend: str) -> Install:
        args = ("--framework", "keras", "--set", f"task={self.task}", "--set", f"backend={backend}")
        if self.project_name:
            args += ("--set", f"project_name={self.project_name.format(backend=backend)}")
        return args

    @property
    def installs(self) -> Installs:
        """The module's shared installs: the Keras image projects on JAX and PyTorch, which the
        task is installed beside, and the task's own project on TensorFlow."""
        return keras_image("jax"), keras_image("torch"), self.args("tensorflow")


@dataclasses.dataclass
class KerasTask:
    """A Keras task's project on every backend, and its own tests on TensorFlow, running."""

    projects: dict[str, ProjectEnv]
    tests: ProjectTests


def install_keras_task(
    tmp_path_factory: pytest.TempPathFactory, shared_installs: SharedInstalls,
    task: KerasTaskProjects,
) -> KerasTask:  # fmt: skip
    """On TensorFlow, a clean install from the printed steps (a shared one, made while the
    module before ran); on JAX and PyTorch, the printed pip step into the Keras image project's
    venv of that backend, whose clean install test_keras_e2e proves (a task adds only its own
    packages). The TensorFlow project's tests start as soon as its install is done, while the
    other two installs (mostly waiting on pip) go on."""

    def one(backend: str) -> ProjectEnv:
        if backend == "tensorflow":
            return shared_installs.get(*task.args(backend))
        root = tmp_path_factory.mktemp(f"keras-{task.task}-{backend}")
        return install_beside(shared_installs.get(*keras_image(backend)), root, *task.args(backend))

    tmp_path_factory.getbasetemp()  # made once here, not raced for by the threads below
    with ThreadPoolExecutor(len(KERAS_BACKENDS)) as pool:
        futures = {backend: pool.submit(one, backend) for backend in KERAS_BACKENDS}
        tests = start_project_tests(futures["tensorflow"].result())
        projects = {backend: future.result() for backend, future in futures.items()}
    return KerasTask(projects, tests)
