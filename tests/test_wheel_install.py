"""A wheel install of scaffold, as the README's first command makes it, writes projects without
byte-code: pip compiles the packaged templates' .py files, and none of that may reach a project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import build_wheel

BYTECODE = ("__pycache__", ".pyc")


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            venv / "bin" / "python",
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
    )
    return wheel, venv


def test_the_wheel_holds_no_bytecode(wheel_venv: tuple[Path, Path]) -> None:
    wheel, _ = wheel_venv
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if any(b in n for b in BYTECODE)] == []


def test_installed_templates_were_byte_compiled(wheel_venv: tuple[Path, Path]) -> None:
    """The premise of the next test: pip did compile the installed template files."""
    _, venv = wheel_venv
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert list((site / "scaffolder" / "templates").rglob("*.pyc"))


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "keras"])
def test_generated_project_has_no_bytecode(
    wheel_venv: tuple[Path, Path], tmp_path: Path, framework: str
) -> None:
    _, venv = wheel_venv
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    result = subprocess.run(
        [
            venv / "bin" / "scaffold",
            "new",
            "--no-input",
            "--framework",
            framework,
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (project,) = (tmp_path / "out").iterdir()
    found = [str(p) for p in project.rglob("*") if any(b in p.name for b in BYTECODE)]
    assert found == []
    recorded = json.loads((project / ".scaffold.json").read_text(encoding="utf-8"))["files"]
    assert [f for f in recorded if any(b in f for b in BYTECODE)] == []
