"""The end-to-end harness every template's tests share: bake, install into a venv, run commands.

A generated project is installed into its own virtual environment whose `frameworks.pth` points at the
test environment's site-packages, where torch, TensorFlow and JAX are installed once per test run. pip
then finds every dependency already there and runs with `--no-index`, so a test can never download a
framework (an unpinned torch would be several GB of CUDA packages).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
LEFTOVER_JINJA = re.compile(r"{{|}}|{%|%}|{#(?!\s*noqa)")
# Console scripts of the frameworks, which live in the test environment's bin/, not the project's venv:
# run them as modules of the project's python so that they import the installed project.
FRAMEWORK_COMMANDS = {"torchrun": ["-m", "torch.distributed.run"]}


def require(*modules: str) -> None:
    """Skip locally when a framework is missing; in CI a missing framework fails the test."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)}: install tests/frameworks.txt"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


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
        elif command[0] in FRAMEWORK_COMMANDS:
            command[:1] = [str(self.bin / "python"), *FRAMEWORK_COMMANDS[command[0]]]
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


def install(project: Path, venv: Path, extras: Sequence[str] = ("dev",)) -> ProjectEnv:
    """Make a venv that sees the test environment's frameworks, and pip-install the project into it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    site.mkdir(parents=True, exist_ok=True)
    frameworks = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "frameworks.pth").write_text("\n".join(sorted(frameworks)) + "\n", encoding="utf-8")
    target = f"{project}[{','.join(extras)}]" if extras else str(project)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-index",
            "--no-build-isolation",
            "-e",
            target,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"pip install {target} failed:\n{result.stdout}{result.stderr}"
    return ProjectEnv(root=project, venv=venv)
