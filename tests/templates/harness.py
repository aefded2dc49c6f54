"""The end-to-end harness every template's tests share: bake, install into a venv, run commands.

A generated project is made with `scaffold new` and installed by running its own printed install step
in a fresh virtual environment that sees nothing of the test environment, so an undeclared dependency
fails there as it would on a user's machine. Framework builds are pinned with `tests/constraints.txt`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
LEFTOVER_JINJA = re.compile(r"{{|}}|{%|%}|{#(?!\s*noqa)")


def template_context(template: str) -> dict:
    return json.loads((TEMPLATES / template / "cookiecutter.json").read_text(encoding="utf-8"))


def variable_matrix(template: str) -> list:
    """One bake per value of every choice variable (the first value is the default bake)."""
    params = [pytest.param({}, id="defaults")]
    for key, value in template_context(template).items():
        if isinstance(value, list) and not key.startswith("_"):
            params += [pytest.param({key: choice}, id=f"{key}={choice}") for choice in value[1:]]
    return params


def bake(template: str, output_dir: Path, **context: str) -> Path:
    """Render `template` with cookiecutter's own API, exactly as `cookiecutter templates/<name>` would."""
    return Path(
        cookiecutter(
            str(TEMPLATES / template),
            no_input=True,
            extra_context=context,
            output_dir=str(output_dir),
        )
    )


def leftover_jinja(project: Path) -> list[str]:
    """Files of a baked project that still hold Jinja syntax (a rendering slip)."""
    found = []
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            if LEFTOVER_JINJA.search(text) or LEFTOVER_JINJA.search(str(path.relative_to(project))):
                found.append(str(path.relative_to(project)))
    return found


def check_lint(project: Path) -> None:
    """The baked project is ruff-clean, ruff-formatted, and compiles."""
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True
        )
        assert result.returncode == 0, f"ruff {' '.join(args)}:\n{result.stdout}{result.stderr}"
    result = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "src", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@dataclasses.dataclass
class ProjectEnv:
    """A baked project installed in its own virtual environment."""

    root: Path
    venv: Path
    extra_env: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
        env.update(
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            VIRTUAL_ENV=str(self.venv),
            PYTHONUNBUFFERED="1",
            TF_CPP_MIN_LOG_LEVEL="2",
            **self.extra_env,
        )
        env.pop("PYTHONPATH", None)
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str | Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command of the project (its console script, python, pytest, torchrun) in its root."""
        command = [str(a) for a in args]
        if not Path(command[0]).is_absolute() and (self.bin / command[0]).exists():
            command[0] = str(self.bin / command[0])
        result = subprocess.run(
            command,
            cwd=self.root,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited {result.returncode}\n"
                f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
            )
        return result

    def run_json(self, *args: str | Path, **kwargs) -> dict:
        """Run a project command that prints a JSON result as the last thing on stdout."""
        out = self.run(*args, **kwargs).stdout
        return json.loads(out[out.rindex("\n{") + 1 :] if "\n{" in out else out)


# This network reaches PyPI (and pip's configured mirrors) only. The printed PyTorch step names the
# PyTorch wheel index; here pip's own configuration serves the same CPU build, so the index is dropped
# and nothing else of the printed command changes.
UNREACHABLE_INDEX = re.compile(r" --index-url https://download\.pytorch\.org/whl/\S+")
# Framework builds are pinned with a constraint file, as a user's lock would: an unpinned torch would
# resolve to several GB of CUDA packages.
CONSTRAINTS = REPO / "tests" / "constraints.txt"


def generate(output_dir: Path, *args: str) -> tuple[Path, list[str]]:
    """`scaffold new --no-input ARGS -o OUTPUT_DIR` as a user runs it: the project and its printed
    next steps (the lines after "Next:")."""
    result = subprocess.run(
        [sys.executable, "-m", "scaffolder", "new", "--no-input", *args, "-o", str(output_dir)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SCAFFOLD_ACCELERATOR": "cpu"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    steps = [line.strip() for line in lines[lines.index("Next:") + 1 :] if line.strip()]
    assert steps[0].startswith("cd "), steps
    return (output_dir / Path(steps[0][3:]).name), steps[1:]


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


@dataclasses.dataclass
class ProjectTests:
    """A project's own pytest running in the background, its output going to a file (so that it
    never waits on a full pipe)."""

    process: subprocess.Popen
    log: Path

    def result(self, timeout: float = 1800) -> str:
        """Wait for the tests to end; their output. Fails the calling test if they failed."""
        self.process.wait(timeout=timeout)
        out = self.log.read_text(encoding="utf-8", errors="replace")
        assert self.process.returncode == 0, out[-6000:]
        return out

    def wait(self) -> None:
        """Wait for the tests to end, whether or not they passed."""
        self.process.wait(timeout=1800)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_project_tests(project: ProjectEnv, *args: str) -> ProjectTests:
    """The project's own pytest (ARGS added), started in the background: the e2e tests beside it
    mostly keep one of the machine's two cores busy (start-up, imports, small models' Python)."""
    handle, log = tempfile.mkstemp(prefix=f"{project.root.name}-pytest-", suffix=".log",
                                   dir=project.root.parent)  # fmt: skip
    with os.fdopen(handle, "w") as out:
        process = subprocess.Popen(
            [str(project.bin / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=project.root, env=project.env(), text=True, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return ProjectTests(process, Path(log))


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


def rows(run: Path) -> list[dict[str, str]]:
    """The run's metrics.csv, one dict per epoch."""
    with (run / "metrics.csv").open(newline="") as f:
        return list(csv.DictReader(f))


# The session's `record_learned`: (project, label, a train command's result) -> the result.
Recorder = Callable[[ProjectEnv, str, dict], dict]


def learned(project: ProjectEnv, label: str, result: dict) -> str:
    """One line of what a training run learned: each held-out score at its first and last epoch
    (metrics.csv) and the baselines the command printed beside them."""
    epochs = rows(project.root / result["run_dir"])
    scores = [name for name in epochs[0] if name.startswith("val_")] if epochs else []
    parts = [f"{name} {float(epochs[0][name]):.4g} -> {float(epochs[-1][name]):.4g}"
             for name in scores]  # fmt: skip
    for name, values in result.get("baselines", {}).items():
        flat = values.items() if isinstance(values, dict) else [("", values)]
        parts += [f"{name} baseline {key} {value:.4g}".replace("  ", " ")
                  for key, value in flat if isinstance(value, int | float)]  # fmt: skip
    return f"{label}, {len(epochs)} epochs: {'; '.join(parts)}"


def one_line(stderr: str) -> str:
    """A command's failure as users see it: one line and no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def last_json(stdout: str) -> dict:
    """The result a command printed last (a launcher's processes may print before it)."""
    return json.loads(stdout[stdout.rindex("\n{") + 1 :] if "\n{" in stdout else stdout)


def interrupt(
    env: ProjectEnv, args: tuple[str, ...], signum: int, run: Path, workers: bool = False
) -> tuple[int, str]:
    """Start `args` in a process group of its own, wait until its first epoch is recorded, send
    `signum` to the whole group as Ctrl-C in a terminal does (or to one torchrun worker only),
    and return the command's exit code and stderr."""
    err = run.parent / f"{run.name}.stderr"
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [str(env.bin / args[0]), *args[1:]],
            cwd=env.root,
            env=env.env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while not ((run / "metrics.csv").exists() and rows(run)):
            assert process.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline, "no epoch finished"
            time.sleep(0.05)
        time.sleep(0.3)
        if workers:  # torchrun's workers are its children; signal one and let it tell the other
            children = subprocess.run(
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
            )
            os.kill(max(int(pid) for pid in children.stdout.split()), signum)
        else:  # the command and its data-loading workers
            os.killpg(process.pid, signum)
        code = process.wait(timeout=300)
    return code, err.read_text()
