"""What a user installs: the wheel carries the templates, and the command starts lean."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import build_wheel

REPO = Path(__file__).resolve().parents[1]


def test_wheel_carries_every_template_file(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "scaffolder/decision.toml" in names
    source = REPO / "templates"
    expected = {
        "scaffolder/templates/" + str(p.relative_to(source))
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected - names == set(), "files of templates/ missing from the wheel"
    for template in ("pytorch", "tensorflow", "keras"):
        # The shared layer reaches each template through a symlink: the wheel must hold real copies.
        assert f"scaffolder/templates/{template}/templates/project/pyproject.toml.j2" in names
        assert f"scaffolder/templates/{template}/hooks/pre_gen_project.py" in names
        assert (
            f"scaffolder/templates/{template}/{{{{cookiecutter.project_slug}}}}/.gitignore" in names
        )


def test_help_does_not_import_cookiecutter() -> None:
    code = (
        "import sys\n"
        "from scaffolder.cli import main\n"
        "assert main(['--help']) == 0\n"
        "assert main(['new', '--help']) == 0\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('cookiecutter', 'jinja2', 'yaml'))\n"
        "print(heavy)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_dash_m_scaffolder() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffolder", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("scaffold, version ")


def test_shell_completion_script_is_generated() -> None:
    import os
    import shutil

    scaffold = shutil.which("scaffold", path=str(Path(sys.executable).parent))
    assert scaffold is not None, "the console script is installed beside the interpreter"
    env = {**os.environ, "_SCAFFOLD_COMPLETE": "bash_source"}
    result = subprocess.run([scaffold], env=env, capture_output=True, text=True)
    assert result.returncode == 0
    assert "_scaffold_completion" in result.stdout
