"""Bake the PyTorch template once per value of every choice: it renders, lints and compiles."""

from __future__ import annotations

import re
import tomllib

import pytest
from harness import TEMPLATES, check_lint, leftover_jinja, variable_matrix

TEMPLATE = str(TEMPLATES / "pytorch")
COMMON = [
    *("cli", "config", "config_io", "errors", "runs", "interrupts", "metrics_csv", "scalars"),
    *("batches", "train", "loop", "schedule", "evaluate", "export", "inference"),
    *("checkpoint", "distributed", "precision", "seeding"),
]
# What each task adds beside the common tree; a project holds its own task's modules only.
TASKS = {
    "image-classification": (
        "image_classifier",
        ["task_config", "data", "sources", "model", "task", "predict", "tensor_batches"],
    ),
    "text-classification": (
        "text_classifier",
        [
            "task_config",
            "corpus",
            "tokenizer",
            "scores",
            "data",
            "model",
            "task",
            "predict",
            "pretrained",
            "hub",
            "tensor_batches",
            "gathered",
        ],
    ),
    "audio-classification": (
        "audio_classifier",
        [
            "task_config",
            "clips",
            "melscale",
            "scores",
            "data",
            "model",
            "task",
            "predict",
            "tensor_batches",
            "gathered",
        ],
    ),
    "recommendation": (
        "recommender",
        [
            "task_config",
            "interactions",
            "ranking",
            "data",
            "model",
            "task",
            "predict",
            "tensor_batches",
        ],
    ),
    "generative": (
        "image_generator",
        ["task_config", "pictures", "data", "model", "task", "predict", "tensor_batches"],
    ),
    "language-model": (
        "language_model",
        [
            "task_config",
            "corpus",
            "tokenizer",
            "sampling",
            "data",
            "model",
            "task",
            "predict",
            "pretrained",
            "hub",
            "tensor_batches",
        ],
    ),
    "tabular": (
        "tabular_model",
        [
            "task_config",
            "table",
            "scores",
            "data",
            "model",
            "task",
            "predict",
            "tensor_batches",
            "gathered",
        ],
    ),
}


@pytest.mark.parametrize("context", variable_matrix("pytorch"))
def test_bake(cookies, context: dict) -> None:
    result = cookies.bake(extra_context=context, template=TEMPLATE)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert leftover_jinja(project) == []
    check_lint(project)

    task = context.get("task", "image-classification")
    package, task_modules = TASKS[task]
    src = project / "src" / package
    modules = {p.stem for p in src.glob("*.py")} - {"__init__", "__main__"}
    assert modules == {*COMMON, *task_modules}
    assert not (project / "_tasks").exists()
    for path in src.glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path.name
        assert "scaffold" not in path.read_text().lower(), path.name
    assert (project / "configs" / "default.toml").is_file()
    tests = {p.name for p in (project / "tests").glob("test_*.py")}
    assert {"test_train.py", "test_resume.py", "test_predict.py", "test_data.py"} <= tests
    pyproject = (project / "pyproject.toml").read_text()
    assert '"torch>=' in pyproject and '"tensorboard>=' in pyproject
    tabular, text = task == "tabular", task == "text-classification"
    audio, recommendation = task == "audio-classification", task == "recommendation"
    generative, language = task == "generative", task == "language-model"
    assert ('"pillow>=' in pyproject) == (task in ("image-classification", "generative"))
    assert ('"pandas>=' in pyproject) == ('"pyarrow>=' in pyproject) == tabular
    assert ("baseline = [" in pyproject) == tabular
    assert ('"tokenizers>=' in pyproject) == (text or language)
    extras = tomllib.loads(pyproject)["project"]["optional-dependencies"]
    assert ("pretrained" in extras) == (text or language)
    if language:  # LoRA adapters by default; `dev` tests them
        assert {"transformers", "peft"} <= {re.split(r"[<>=]", d)[0] for d in extras["pretrained"]}
    if audio:
        assert {"test_clips.py", "test_scores.py", "test_model.py", "test_export.py"} <= tests
    if recommendation:
        assert {"test_interactions.py", "test_ranking.py", "test_model.py", "test_task.py"} <= tests
        trainer = tomllib.loads((project / "configs" / "default.toml").read_text())["trainer"]
        assert (trainer["best_metric"], trainer["best_mode"]) == ("val_ndcg", "max")
    if generative:
        assert {"test_pictures.py", "test_model.py", "test_task.py", "test_export.py"} <= tests
        trainer = tomllib.loads((project / "configs" / "default.toml").read_text())["trainer"]
        assert (trainer["best_metric"], trainer["best_mode"]) == ("val_loss", "min")
    if language:
        assert {"test_corpus.py", "test_tokenizer.py", "test_model.py", "test_export.py"} <= tests
        config = tomllib.loads((project / "configs" / "default.toml").read_text())
        assert (config["data"]["vocab_size"], config["data"]["context_length"]) == (512, 64)
        assert "is_causal=True" in (src / "model.py").read_text()
    if audio or recommendation:  # WAV files and CSV logs are read with the standard library
        dependencies = tomllib.loads(pyproject)["project"]["dependencies"]
        names = {re.split(r"[<>=\[ ]", d, maxsplit=1)[0] for d in dependencies}
        assert names == {"torch", "tensorboard", "numpy", "tqdm"}, dependencies

    assert (project / "Dockerfile").exists() == (context.get("dockerfile", "yes") == "yes")
    assert (project / ".dockerignore").exists() == (context.get("dockerfile", "yes") == "yes")
    ci = project / ".github" / "workflows" / "ci.yml"
    assert ci.exists() == (context.get("github_actions", "yes") == "yes")

    license_text = (project / "LICENSE").read_text()
    expected = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "BSD-3-Clause": "BSD 3-Clause",
        "Proprietary": "",
    }[context.get("license", "MIT")]
    assert expected in license_text
    if context.get("license") == "Proprietary":
        assert "license =" not in pyproject

    python = context.get("python_version", "3.11")
    assert f'requires-python = ">={python}"' in pyproject
    assert f'target-version = "py{python.replace(".", "")}"' in pyproject

    readme = (project / "README.md").read_text()
    install = readme[readme.index("```bash") : readme.index("## Commands")]
    first = install.splitlines()[2]
    accelerator = context.get("accelerator", "cpu")
    assert {"cpu": "whl/cpu", "cuda": "whl/cu128", "mps": "Apple silicon"}[accelerator] in first
    assert "torchrun --standalone --nproc_per_node" in readme
    assert "It continues inside the epoch" in readme  # what --resume does after a stop
    for name in modules:
        assert f"  {name}.py " in readme, f"{name}.py is missing from the README's layout"
    assert ("preprocessing.json" in readme) == tabular
    assert ("tokenizer.json" in readme) == (text or language)
    assert ("export/generation.json" in readme) == ("val_perplexity" in readme) == language
    assert ("export/model.onnx` (input `waveforms`" in readme) == audio
    assert ("export/model.onnx` (input `users`" in readme) == recommendation
    assert ("catalog.json" in readme) == recommendation
    assert ("samples/epoch-NNN.png" in readme) == generative
    assert ("export/shape.json" in readme) == generative
    assert ("FAISS" in readme) == recommendation  # where a large catalogue goes
    if not text:
        labels = task in ("image-classification", "audio-classification")
        assert ("labels.json" in readme) == labels
    if (project / "Dockerfile").exists():
        dockerfile = (project / "Dockerfile").read_text()
        index = "whl/cu128" if accelerator == "cuda" else "whl/cpu"
        assert index in dockerfile


@pytest.mark.parametrize(
    "project_name", ["torch", "import", "1st model", "NumPy", "tensorboard", "Tests"]
)
def test_hooks_refuse_names_that_break_the_project(cookies, project_name: str) -> None:
    result = cookies.bake(extra_context={"project_name": project_name}, template=TEMPLATE)
    assert result.exit_code != 0


def test_names_are_derived_from_the_project_name(cookies) -> None:
    result = cookies.bake(extra_context={"project_name": "Cat Dog Net"}, template=TEMPLATE)
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "cat-dog-net"
    assert (result.project_path / "src" / "cat_dog_net" / "train.py").is_file()
    pyproject = (result.project_path / "pyproject.toml").read_text()
    assert 'cat-dog-net = "cat_dog_net.cli:main"' in pyproject
