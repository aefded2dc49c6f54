"""The harness's installs are honest: a project sees only what it declares."""

from __future__ import annotations

import textwrap
from pathlib import Path

from harness import install_from_steps

STEP = "python -m venv .venv && . .venv/bin/activate && pip install -e ."


def fixture_project(root: Path, dependencies: list[str]) -> Path:
    """A one-module project that imports PyYAML, which the test environment has installed."""
    project = root / "probe"
    (project / "src" / "probe").mkdir(parents=True)
    (project / "src" / "probe" / "__init__.py").write_text(
        "import yaml\n\nVERSION = yaml.__version__\n", encoding="utf-8"
    )
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [build-system]
            requires = ["setuptools>=77"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "probe"
            version = "0"
            dependencies = [{deps}]
            """
        ),
        encoding="utf-8",
    )
    return project


def test_an_undeclared_dependency_fails_to_import(tmp_path: Path) -> None:
    env = install_from_steps(fixture_project(tmp_path, []), [STEP])
    result = env.run("python", "-c", "import probe", check=False)
    assert result.returncode != 0
    assert "No module named 'yaml'" in result.stderr


def test_a_declared_dependency_is_installed(tmp_path: Path) -> None:
    env = install_from_steps(fixture_project(tmp_path, ["pyyaml"]), [STEP])
    env.run("python", "-c", "import probe; print(probe.VERSION)")
