"""Bakes of the TensorFlow template: every option value renders a clean, lint-free project."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from harness import TEMPLATES, check_lint, leftover_jinja, template_context, variable_matrix
from jinja2 import Template

TEMPLATE = str(TEMPLATES / "tensorflow")
PACKAGE_FILES = [
    "__init__.py", "__main__.py", "cli.py", "config.py", "config_io.py", "errors.py", "runs.py",
    "interrupts.py", "metrics_csv.py", "data.py", "sources.py", "model.py", "steps.py", "train.py",
    "checkpoint.py", "distributed.py", "precision.py", "seeding.py", "reporting.py", "evaluate.py",
    "export.py",
]  # fmt: skip
# Each module holds one thing and stays readable.
MAX_MODULE_LINES = 400
EXTRA_FOR = {"cpu": "cpu", "cuda": "gpu", "mps": "macos"}


def _render_next(text: str, ctx: dict) -> str:
    return Template(text).render(cookiecutter=ctx)


def test_default_config_mirrors_every_field(cookies):
    project, _ = _bake(cookies)
    config = tomllib.loads((project / "configs" / "default.toml").read_text(encoding="utf-8"))
    assert "output_dir" not in config["trainer"]
    for key in ("runs_dir", "run_name", "best_metric", "best_mode"):
        assert key in config["trainer"], key
    assert (
        config["trainer"]["best_metric"] == "val_loss" and config["trainer"]["best_mode"] == "min"
    )
    assert config["data"]["num_classes"] == 0  # from the data


def _bake(cookies, **context):
    result = cookies.bake(extra_context=context, template=TEMPLATE)
    assert result.exit_code == 0, result.exception
    assert result.exception is None
    return Path(result.project_path), result.context


@pytest.mark.parametrize("context", variable_matrix("tensorflow"))
def test_bake(cookies, context):
    project, ctx = _bake(cookies, **context)
    package = project / "src" / ctx["package_name"]
    for name in PACKAGE_FILES:
        assert (package / name).is_file(), name
    assert sorted(p.name for p in package.glob("*.py")) == sorted(PACKAGE_FILES)
    for module in package.glob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES, module
    for name in ("README.md", "LICENSE", "pyproject.toml", "configs/default.toml", ".gitignore",
                 ".pre-commit-config.yaml", "tests/conftest.py", "tests/test_train.py",
                 "tests/test_cli.py"):  # fmt: skip
        assert (project / name).is_file(), name
    assert leftover_jinja(project) == []
    check_lint(project)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    meta = pyproject["project"]
    # TensorFlow only through an extra, so a CPU-only install never pulls CUDA wheels.
    assert not any(dep.startswith("tensorflow") for dep in meta["dependencies"])
    extras = meta["optional-dependencies"]
    assert extras["cpu"] == ["tensorflow-cpu>=2.16,<3"]
    assert extras["gpu"] == ["tensorflow[and-cuda]>=2.16,<3"]
    assert {"macos", "dev", "viz", "litert"} <= set(extras)
    assert meta["requires-python"] == f">={ctx['python_version']}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + ctx["python_version"].replace(
        ".", ""
    )
    assert meta["scripts"][ctx["project_slug"]] == f"{ctx['package_name']}.cli:main"

    license_text = (project / "LICENSE").read_text(encoding="utf-8")
    if ctx["license"] == "Proprietary":
        assert "license" not in meta
    else:
        assert meta["license"] == ctx["license"]
        assert license_text.strip()

    readme = (project / "README.md").read_text(encoding="utf-8")
    first_install = next(line for line in readme.splitlines() if line.startswith("pip install -e"))
    assert f'".[{EXTRA_FOR[ctx["accelerator"]]},dev]"' in first_install
    assert "TF_CONFIG" in readme and "SavedModel is a program" in readme
    # The printed next step installs what the README's first install line installs.
    next_install = template_context("tensorflow")["__next_install"]
    assert f"'.[{EXTRA_FOR[ctx['accelerator']]},dev]'" in _render_next(next_install, ctx)
    assert "continues mid-epoch" in readme and "utils.py" not in readme
    assert "output_dir" not in readme

    ci = project / ".github" / "workflows" / "ci.yml"
    assert ci.is_file() == (ctx["github_actions"] == "yes")
    if ci.is_file():
        assert '".[cpu,dev]"' in ci.read_text(encoding="utf-8")
    dockerfile = project / "Dockerfile"
    assert dockerfile.is_file() == (ctx["dockerfile"] == "yes")
    assert (project / ".dockerignore").is_file() == (ctx["dockerfile"] == "yes")
    if dockerfile.is_file():
        build = "tensorflow[and-cuda]" if ctx["accelerator"] == "cuda" else "tensorflow-cpu"
        assert f"{build}==" in dockerfile.read_text(encoding="utf-8")


def test_project_name_sets_the_names(cookies):
    project, _ = _bake(cookies, project_name="Digit Reader")
    assert project.name == "digit-reader"
    assert (project / "src" / "digit_reader" / "train.py").is_file()


@pytest.mark.parametrize("project_name", ["tensorflow", "Keras", "import", "3D model", "numpy"])
def test_hook_rejects_bad_names(cookies, project_name):
    result = cookies.bake(extra_context={"project_name": project_name}, template=TEMPLATE)
    assert result.exit_code != 0
    assert result.project_path is None or not Path(result.project_path).exists()
