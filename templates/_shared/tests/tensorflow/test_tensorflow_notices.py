"""TensorFlow's oneDNN kernels stay on, and its start-up notices stay out of every command's
output: importing the package first is what hides them, and nothing else written is lost."""

from __future__ import annotations

import os
import subprocess
import sys

from {{ cookiecutter.package_name }} import tensorflow_notices

IMPORT = "import tensorflow, sys; sys.stderr.write('after the import\\n')"


def _stderr(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_the_package_hides_the_notices_of_the_kernels_it_keeps_on() -> None:
    bare = _stderr(IMPORT)
    assert "oneDNN custom operations are on" in bare  # the kernels are on, and TensorFlow says so
    quiet = _stderr(f"import {{ cookiecutter.package_name }}; {IMPORT}")
    assert quiet == "after the import\n"


def test_only_the_notices_are_dropped(capfd) -> None:
    with tensorflow_notices._native_stderr_without_notices():
        os.write(2, b"E0000 a real error\n")
        os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on. You may see...\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are...\n")
        os.write(2, b"a warning\n")
    assert capfd.readouterr().err == "E0000 a real error\na warning\n"
