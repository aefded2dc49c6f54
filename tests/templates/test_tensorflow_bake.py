"""Bakes of the TensorFlow template: every option value renders a clean, lint-free project."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from harness import TEMPLATES, check_lint, leftover_jinja, template_context, variable_matrix
from jinja2 import Template

TEMPLATE = str(TEMPLATES / "tensorflow")
COMMON_FILES = [
    "__init__.py", "__main__.py", "cli.py", "config.py", "config_io.py", "errors.py", "runs.py",
    "interrupts.py", "metrics_csv.py", "batches.py", "optimizer.py", "steps.py", "train.py",
    "checkpoint.py", "distributed.py", "precision.py", "seeding.py", "reporting.py", "evaluate.py",
    "export.py", "signatures.py", "tensorflow_notices.py",
]  # fmt: skip
# What each task adds: the same module names, so the common loop imports them without branching.
TASK_FILES = {
    "image-classification": ["sources.py"],
    "text-classification": ["corpus.py", "scores.py", "tokenizer.py"],
    "tabular": ["scores.py", "table.py"],
    "audio-classification": ["clips.py", "melscale.py", "scores.py"],
    "recommendation": ["interactions.py", "ranking.py"],
    "generative": ["pictures.py"],
    "language-model": ["corpus.py", "sampling.py", "tokenizer.py"],
}
SAME_NAMES = ["task_config.py", "data.py", "model.py", "task.py", "serving.py", "predict.py"]
TASK_TESTS = ["tests/cases.py", "tests/test_data.py", "tests/test_model.py", "tests/test_serving.py"]  # fmt: skip
# Each module holds one thing and stays readable.
MAX_MODULE_LINES = 400
EXTRA_FOR = {"cpu": "cpu", "cuda": "gpu", "mps": "macos"}


def _render_next(text: str, ctx: dict) -> str:
    return Template(text).render(cookiecutter=ctx)


@pytest.mark.parametrize("task", list(TASK_FILES))
def test_default_config_mirrors_every_field(cookies, task):
    project, _ = _bake(cookies, task=task)
    config = tomllib.loads((project / "configs" / "default.toml").read_text(encoding="utf-8"))
    assert "output_dir" not in config["trainer"]
    for key in ("runs_dir", "run_name", "best_metric", "best_mode"):
        assert key in config["trainer"], key
    best = ("val_ndcg", "max") if task == "recommendation" else ("val_loss", "min")
    assert (config["trainer"]["best_metric"], config["trainer"]["best_mode"]) == best
    if task == "tabular":
        assert config["data"]["target"] == "target" and config["data"]["objective"] == "auto"
        assert config["model"]["hidden"] == [128, 64] and "tflite" not in config["export"]
    elif task == "text-classification":
        assert config["data"]["text_column"] == "text" and config["data"]["max_length"] == 64
        assert config["model"]["heads"] == 4 and "num_classes" not in config["data"]
    elif task == "audio-classification":
        assert config["data"]["sample_rate"] == 16000 and config["model"]["n_mels"] == 40
        assert config["model"]["freq_mask"] == 0 and "num_classes" not in config["data"]
    elif task == "recommendation":
        assert (config["data"]["num_users"], config["data"]["batch_size"]) == (1000, 128)
        assert (config["model"]["temperature"], config["model"]["top_k"]) == (0.2, 10)
        assert (config["trainer"]["epochs"], config["trainer"]["lr"]) == (5, 0.05)
        assert "num_classes" not in config["data"] and "tflite" not in config["export"]
    elif task == "generative":
        assert (config["data"]["image_size"], config["data"]["channels"]) == (32, 3)
        assert (config["model"]["latent_dim"], config["model"]["beta"]) == (16, 1.0)
        assert (config["trainer"]["epochs"], config["trainer"]["lr"]) == (3, 0.003)
        assert "num_classes" not in config["data"] and "tflite" not in config["export"]
    elif task == "language-model":
        assert (config["data"]["vocab_size"], config["data"]["context_length"]) == (512, 64)
        assert (config["model"]["dim"], config["model"]["layers"]) == (128, 2)
        assert config["export"] == {"check_batch": 4}
    else:
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
    task = ctx["task"]
    expected = sorted([*COMMON_FILES, *SAME_NAMES, *TASK_FILES[task]])
    assert sorted(p.name for p in package.glob("*.py")) == expected
    assert not (project / "_tasks").exists()
    if task == "tabular":  # the table module's own tests, shared by every framework
        assert (project / "tests" / "test_table.py").is_file()
    if task == "text-classification":
        assert (project / "tests" / "test_corpus.py").is_file()
    if task == "audio-classification":  # the clip reader's own tests, shared by every framework
        assert (project / "tests" / "test_clips.py").is_file()
    if task == "recommendation":  # the interaction reader's and the ranking's own tests
        assert (project / "tests" / "test_interactions.py").is_file()
        assert (project / "tests" / "test_ranking.py").is_file()
    if task == "generative":  # the picture code's own tests, shared by every framework
        assert (project / "tests" / "test_pictures.py").is_file()
    if task == "language-model":  # the corpus, tokenizer and sampling code's own tests
        for name in ("test_corpus.py", "test_tokenizer.py", "test_sampling.py"):
            assert (project / "tests" / name).is_file(), name
    for other, files in TASK_FILES.items():
        if other != task:  # nothing of the other task is left behind
            left = set(files) - set(TASK_FILES[task])
            assert not any((package / name).exists() for name in left), other
    for module in package.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= MAX_MODULE_LINES, module
        assert "cookiecutter" not in text and "scaffold" not in text.lower(), module
        assert "task ==" not in text and "image-classification" not in text, module
    for name in ("README.md", "LICENSE", "pyproject.toml", "configs/default.toml", ".gitignore",
                 ".pre-commit-config.yaml", "tests/conftest.py", "tests/test_train.py",
                 "tests/test_cli.py", *TASK_TESTS):  # fmt: skip
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
    assert {"macos", "dev", "viz"} <= set(extras)
    if task == "tabular":
        assert {"pandas>=2.2", "pyarrow>=15"} <= set(meta["dependencies"])
        assert extras["baseline"] == ["scikit-learn>=1.4"] and "litert" not in extras
    elif task == "text-classification":
        deps = " ".join(meta["dependencies"])
        assert "tokenizers>=" in deps and "pandas" not in deps and "pillow" not in deps
    elif task == "audio-classification":  # WAV files read with the standard library
        assert meta["dependencies"] == ["numpy>=1.26"] or not any(
            d.startswith(("pandas", "pillow", "tokenizers")) for d in meta["dependencies"]
        )
        assert "litert" not in extras and "baseline" not in extras
    elif task == "recommendation":  # CSV logs read with the standard library
        assert not any(
            d.startswith(("pandas", "pillow", "tokenizers")) for d in meta["dependencies"]
        )
        assert "litert" not in extras and "baseline" not in extras
    elif task == "generative":  # Pillow reads and writes the pictures
        assert "pillow>=10" in meta["dependencies"]
        assert "litert" not in extras and "baseline" not in extras
    elif task == "language-model":  # text files read with the standard library
        deps = " ".join(meta["dependencies"])
        assert "tokenizers>=" in deps and "pandas" not in deps and "pillow" not in deps
        assert "litert" not in extras and "baseline" not in extras
    else:
        assert "litert" in extras and not any("pandas" in d for d in meta["dependencies"])
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
    if task == "tabular":
        assert "Tabular" in readme and "preprocessing.json" in readme
        assert "StaticHashTable" in readme
        assert "sources.py" not in readme and "TFLite" not in readme
    elif task == "text-classification":
        assert "tokenizer.json" in readme and "table.py" not in readme
        assert "sources.py" not in readme
    elif task == "audio-classification":
        assert "tf.signal.stft" in readme and "`waveform`" in readme and "WAV" in readme
        assert "tokenizer.json" not in readme and "TFLite" not in readme
    elif task == "recommendation":
        assert "catalog.json" in readme and "user_id,item_id" in readme and "ScaNN" in readme
        assert "labels.txt" not in readme and "TFLite" not in readme and "WAV" not in readme
    elif task == "generative":
        assert "samples/epoch-NNN.png" in readme and "export/shape.json" in readme
        assert "Conv2DTranspose" in readme and "channels last" in readme
        assert (
            "labels.txt" not in readme and "TFLite" not in readme and "catalog.json" not in readme
        )
    elif task == "language-model":
        assert "generation.json" in readme and "use_causal_mask=True" in readme
        assert "byte-level BPE" in readme and "val_perplexity" in readme
        assert "labels.txt" not in readme and "TFLite" not in readme and "shape.json" not in readme
    else:
        assert "labels.txt" in readme and "table.py" not in readme

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


def test_tabular_defaults_name_the_task(cookies):
    project, ctx = _bake(cookies, task="tabular")
    assert project.name == "tabular-model" and ctx["package_name"] == "tabular_model"
    assert ctx["description"] == "Tabular prediction with TensorFlow"


def test_recommendation_defaults_name_the_task(cookies):
    project, ctx = _bake(cookies, task="recommendation")
    assert project.name == "recommender" and ctx["package_name"] == "recommender"
    assert ctx["description"] == "Recommendation (retrieval) with TensorFlow"


def test_generative_defaults_name_the_task(cookies):
    project, ctx = _bake(cookies, task="generative")
    assert project.name == "image-generator" and ctx["package_name"] == "image_generator"
    assert ctx["description"] == "Image generation with TensorFlow"


def test_language_model_defaults_name_the_task(cookies):
    project, ctx = _bake(cookies, task="language-model")
    assert project.name == "language-model" and ctx["package_name"] == "language_model"
    assert ctx["description"] == "A small language model with TensorFlow"


def test_project_name_sets_the_names(cookies):
    project, _ = _bake(cookies, project_name="Digit Reader")
    assert project.name == "digit-reader"
    assert (project / "src" / "digit_reader" / "train.py").is_file()


@pytest.mark.parametrize("project_name", ["tensorflow", "Keras", "import", "3D model", "numpy"])
def test_hook_rejects_bad_names(cookies, project_name):
    result = cookies.bake(extra_context={"project_name": project_name}, template=TEMPLATE)
    assert result.exit_code != 0
    assert result.project_path is None or not Path(result.project_path).exists()
