"""The end-to-end harness every template's tests share: bake, run a project's commands and its own
tests, read what its runs recorded. Installing a generated project is `installs.py`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
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
