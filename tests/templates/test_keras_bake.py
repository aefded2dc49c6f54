"""Bakes of the Keras template: every option renders a clean, lint-free project; options matter."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from harness import TEMPLATES, check_lint, leftover_jinja, template_context, variable_matrix

TEMPLATE = str(TEMPLATES / "keras")
FRAMEWORK_PACKAGE = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def bake(cookies, **context):
    result = cookies.bake(extra_context=context, template=TEMPLATE)
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


COMMON = (
    "__init__ __main__ cli config_io config errors runs interrupts metrics_csv scalars batches "
    "callbacks checkpoint train evaluate export distributed precision "
    "task_config data model task predict"
)
# Each task's own modules and tests; a project holds its task's and none of the other's.
TASK_FILES = {
    "image-classification": ["tests/test_image_run.py", "tests/test_data.py"],
    "text-classification": [
        "src/text_classifier/corpus.py",
        "src/text_classifier/tokenizer.py",
        "src/text_classifier/pretrained.py",
        "src/text_classifier/hub.py",
        "tests/test_corpus.py",
        "tests/test_pretrained.py",
    ],
    "tabular": ["src/tabular_model/table.py", "tests/test_tabular_run.py", "tests/test_data.py"],
    "audio-classification": [
        "src/audio_classifier/clips.py",
        "src/audio_classifier/melscale.py",
        "src/audio_classifier/scores.py",
        "tests/test_clips.py",
        "tests/test_scores.py",
        "tests/test_audio_run.py",
        "tests/test_model.py",
    ],
    "recommendation": [
        "src/recommender/interactions.py",
        "src/recommender/ranking.py",
        "tests/test_interactions.py",
        "tests/test_ranking.py",
        "tests/test_recommendation_run.py",
        "tests/test_model.py",
        "tests/test_data.py",
        "tests/test_task_config.py",
    ],
    "generative": [
        "src/image_generator/pictures.py",
        "src/image_generator/samples.py",
        "tests/test_pictures.py",
        "tests/test_generative_run.py",
        "tests/test_model.py",
        "tests/test_data.py",
    ],
    "language-model": [
        "src/language_model/corpus.py",
        "src/language_model/tokenizer.py",
        "src/language_model/sampling.py",
        "src/language_model/norms.py",
        "src/language_model/pretrained.py",
        "src/language_model/hub.py",
        "tests/test_corpus.py",
        "tests/test_tokenizer.py",
        "tests/test_sampling.py",
        "tests/test_language_run.py",
        "tests/test_pretrained.py",
        "tests/test_model.py",
    ],
}
PACKAGE = {
    "image-classification": "image_classifier",
    "text-classification": "text_classifier",
    "tabular": "tabular_model",
    "audio-classification": "audio_classifier",
    "recommendation": "recommender",
    "generative": "image_generator",
    "language-model": "language_model",
}


@pytest.mark.parametrize("context", variable_matrix("keras"))
def test_bake(cookies, context: dict) -> None:
    project = bake(cookies, **context)
    task = context.get("task", "image-classification")
    assert leftover_jinja(project) == []
    package = project / "src" / PACKAGE[task]
    for name in COMMON.split():
        assert (package / f"{name}.py").is_file(), name
    assert not (package / "utils.py").exists() and not (project / "_tasks").exists()
    for path in TASK_FILES[task]:
        assert (project / path).is_file(), path
    assert (package / "table.py").exists() == (task == "tabular")
    assert (package / "tokenizer.py").exists() == (
        task in ("text-classification", "language-model")
    )
    fine_tunes = task in ("text-classification", "language-model")
    assert (package / "pretrained.py").exists() == (package / "hub.py").exists() == fine_tunes
    assert (package / "clips.py").exists() == (task == "audio-classification")
    assert (package / "melscale.py").exists() == (task == "audio-classification")
    assert (package / "interactions.py").exists() == (task == "recommendation")
    assert (package / "pictures.py").exists() == (task == "generative")
    # Ranking and the ELBO are scored without a cross-entropy of classes.
    assert (package / "losses.py").exists() == (
        task not in ("recommendation", "generative", "language-model")
    )
    assert (package / "sampling.py").exists() == (task == "language-model")
    assert (project / "tests" / "test_image_run.py").exists() == (task == "image-classification")
    assert (project / "configs" / "default.toml").is_file()
    assert (project / "LICENSE").is_file() and (project / "README.md").is_file()
    assert (project / ".github").exists() == (context.get("github_actions", "yes") == "yes")
    assert (project / "Dockerfile").exists() == (context.get("dockerfile", "yes") == "yes")
    assert (project / ".dockerignore").exists() == (context.get("dockerfile", "yes") == "yes")
    check_lint(project)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_tabular_bakes_on_every_backend(cookies, backend: str) -> None:
    project = bake(cookies, task="tabular", backend=backend)
    assert leftover_jinja(project) == []
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    deps = " ".join(meta["dependencies"])
    assert "pandas>=2.2" in deps and "pyarrow>=15" in deps and "pillow" not in deps
    assert meta["optional-dependencies"]["baseline"] == ["scikit-learn>=1.4"]
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert config["data"]["target"] == "target" and config["model"]["hidden"] == [128, 64]
    readme = (project / "README.md").read_text()
    assert "preprocessing.json" in readme and "classes.json" not in readme
    assert "sources.py" not in readme and "image" not in readme.split("## Data")[1].split("##")[0]
    check_lint(project)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_audio_bakes_on_every_backend(cookies, backend: str) -> None:
    project = bake(cookies, task="audio-classification", backend=backend)
    assert leftover_jinja(project) == []
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "audio-classifier"
    assert meta["description"] == "Audio classification with Keras"
    deps = " ".join(meta["dependencies"])
    # WAV files are read with the standard library and NumPy; the features are keras.ops.
    for unneeded in ("pillow", "tokenizers", "pandas", "librosa", "soundfile"):
        assert unneeded not in deps, unneeded
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert config["data"]["sample_rate"] == 16000 and config["model"]["widths"] == [16, 32, 64]
    assert (config["model"]["freq_mask"], config["model"]["time_mask"]) == (0, 0)
    model = (project / "src" / "audio_classifier" / "model.py").read_text()
    assert "ops.stft(" in model and "SeedGenerator" in model
    readme = (project / "README.md").read_text()
    assert "classes.json" in readme and "ops.stft" in readme and "SpecAugment" in readme
    assert "val_macro_f1" in readme and "image" not in readme.split("## Data")[1].split("##")[0]
    # ONNX cannot trace the complex STFT: the PyTorch backend's README says export is refused.
    assert ("export` refuses" in readme) == (backend == "torch")
    assert ("model.onnx" in readme) is False
    check_lint(project)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_recommendation_bakes_on_every_backend(cookies, backend: str) -> None:
    project = bake(cookies, task="recommendation", backend=backend)
    assert leftover_jinja(project) == []
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "recommender"
    assert meta["description"] == "Recommendation (retrieval) with Keras"
    deps = " ".join(meta["dependencies"])
    for unneeded in ("pillow", "tokenizers", "pandas", "keras-rs", "tensorflow-recommenders"):
        assert unneeded not in deps, unneeded
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert (config["data"]["num_users"], config["data"]["batch_size"]) == (1000, 128)
    assert config["model"] == {"embedding_dim": 32, "temperature": 0.2, "top_k": 10}
    trainer = config["trainer"]
    assert (trainer["epochs"], trainer["lr"], trainer["best_metric"]) == (5, 0.05, "val_ndcg")
    model = (project / "src" / "recommender" / "model.py").read_text()
    assert "register_keras_serializable" in model and "import torch" not in model
    readme = (project / "README.md").read_text()
    data = readme.split("## Data")[1].split("\n## ")[0]
    assert "user_id" in data and "InBatchSoftmax" in data and "image" not in data
    assert "catalog.json" in readme and "val_ndcg" in readme and "classes.json" not in readme
    assert "FAISS" in readme and "ScaNN" in readme
    assert ("model.onnx" in readme) == (backend == "torch")
    check_lint(project)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_generative_bakes_on_every_backend(cookies, backend: str) -> None:
    project = bake(cookies, task="generative", backend=backend)
    assert leftover_jinja(project) == []
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert (meta["name"], meta["description"]) == ("image-generator", "Image generation with Keras")
    deps = " ".join(meta["dependencies"])
    assert "pillow>=10" in deps  # the pictures are read and written with Pillow
    for unneeded in ("tokenizers", "pandas", "diffusers", "torchvision"):
        assert unneeded not in deps, unneeded
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert config["model"] == {"widths": [32, 64], "latent_dim": 16, "beta": 1.0,
                               "samples_per_epoch": 64}  # fmt: skip
    trainer = config["trainer"]
    assert (trainer["lr"], trainer["best_metric"]) == (0.003, "val_loss")
    assert trainer["best_mode"] == "min"
    package = project / "src" / "image_generator"
    model = (package / "model.py").read_text()
    assert "def compute_loss(" in model and "SeedGenerator" in model and "import torch" not in model
    train = (package / "train.py").read_text()
    assert "Samples(" in train
    readme = (project / "README.md").read_text()
    data = readme.split("## Data")[1].split("\n## ")[0]
    assert "VAE" in data and "compute_loss" in data and "class names" not in data
    assert "samples/" in readme and "val_kl" in readme and "shape.json" in readme
    assert "classes.json" not in readme and "losses.py" not in readme
    assert ("model.onnx" in readme) == (backend == "torch")
    check_lint(project)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_language_model_bakes_on_every_backend(cookies, backend: str) -> None:
    project = bake(cookies, task="language-model", backend=backend)
    assert leftover_jinja(project) == []
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "language-model"
    deps = " ".join(meta["dependencies"])
    assert "tokenizers>=0.20" in deps
    for unneeded in ("pillow", "pandas", "keras-hub", "transformers"):
        assert unneeded not in deps, unneeded
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert (config["data"]["vocab_size"], config["data"]["context_length"]) == (512, 64)
    assert config["trainer"]["best_metric"] == "val_loss"
    model = (project / "src" / "language_model" / "model.py").read_text()
    assert (
        "class CausalSelfAttention" in model
        and "reverse=True" in model
        and "import torch" not in model
    )
    readme = (project / "README.md").read_text()
    data = readme.split("## Data")[1].split("\n## ")[0]
    assert "byte-level BPE" in data and "TokenEmbedding" in data and "image" not in data
    assert "val_perplexity" in readme and "generation.json" in readme
    assert "classes.json" not in readme and "losses.py" not in readme
    assert ("model.onnx" in readme) == (backend == "torch")
    check_lint(project)


@pytest.mark.parametrize("task", ["text-classification", "language-model"])
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_text_fine_tunes_presets_through_an_extra(cookies, backend: str, task: str) -> None:
    project = bake(cookies, task=task, backend=backend)
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    extras = meta["optional-dependencies"]
    assert not any("keras-hub" in d for d in meta["dependencies"])
    assert extras["pretrained"] == ["keras-hub>=0.22"]
    # The extra brings the full TensorFlow: `dev` leaves it out and `pytest` deselects its tests.
    assert not any("keras-hub" in d for d in extras["dev"])
    pytest_options = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "-m 'not pretrained'" in pytest_options["ini_options"]["addopts"]
    assert pytest_options["ini_options"]["markers"][0].startswith("pretrained:")
    config = tomllib.loads((project / "configs" / "default.toml").read_text())
    assert config["model"]["pretrained"] == ""
    assert "save_to_preset" in (project / "README.md").read_text()


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_backend_sets_keras_backend_and_dependencies(cookies, backend: str) -> None:
    project = bake(cookies, backend=backend)
    init = (project / "src" / "image_classifier" / "__init__.py").read_text()
    assert f'os.environ.setdefault("KERAS_BACKEND", "{backend}")' in init
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    deps = " ".join(meta["dependencies"])
    extras = meta["optional-dependencies"]
    everything = deps + " " + " ".join(" ".join(v) for k, v in extras.items() if k != "export")
    assert "keras>=3.8,<4" in deps and "pillow" in deps
    # The project writes TensorBoard files itself on every backend; TensorFlow 2.21 no longer
    # brings the package along.
    assert "tensorboard>=2.16" in meta["dependencies"]
    # Only the chosen framework is required; the others appear nowhere.
    for other in set(FRAMEWORK_PACKAGE) - {backend}:
        assert other not in everything.replace("tensorboard", ""), other
    if backend == "tensorflow":
        assert extras["cpu"] == ["tensorflow-cpu>=2.16,<3"]
        assert extras["gpu"][0].startswith("tensorflow[and-cuda]")
    elif backend == "jax":
        assert extras["cpu"] == ["jax[cpu]>=0.4.30"]
        assert extras["gpu"][0].startswith("jax[cuda12]")
        assert extras["export"][0].startswith("tensorflow-cpu")
    else:
        assert "torch>=2.4,<3" in meta["dependencies"]
        assert "onnx" in extras
    readme = (project / "README.md").read_text()
    assert f"**{backend}** backend" in readme
    assert "MultiWorkerMirroredStrategy" in readme and "DDP" in readme
    if (project / "Dockerfile").exists():
        assert f"KERAS_BACKEND={backend}" in (project / "Dockerfile").read_text()


@pytest.mark.parametrize("accelerator", ["cpu", "cuda", "mps"])
def test_install_lines_lead_with_the_accelerator(cookies, accelerator: str) -> None:
    project = bake(cookies, accelerator=accelerator)
    readme = (project / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    first = next(line for line in block.splitlines() if line.startswith("pip install"))
    marker = {"cpu": "CPU only", "cuda": "NVIDIA GPU", "mps": "macOS"}[accelerator]
    assert marker in first


@pytest.mark.parametrize(
    "project_name", ["torch", "Keras", "import", "1st model", "tests"], ids=str
)
def test_hooks_reject_bad_names(cookies, project_name: str) -> None:
    result = cookies.bake(extra_context={"project_name": project_name}, template=TEMPLATE)
    assert result.exit_code != 0


@pytest.mark.parametrize("accelerator", ["cpu", "cuda", "mps"])
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_printed_install_is_the_readme_line_and_installs_every_extra_used(
    cookies, backend: str, accelerator: str
) -> None:
    """The "Next:" step (`__next_install`) is the README's first install line, and it installs
    what `export` needs, so no documented command fails after it."""
    from jinja2 import Environment

    context = {**template_context("keras"), "backend": backend, "accelerator": accelerator}
    template = Environment().from_string(context["__next_install"])
    printed = template.render(cookiecutter=context).replace("'", '"')
    project = bake(cookies, backend=backend, accelerator=accelerator)
    readme = (project / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    first = next(line for line in block.splitlines() if line.startswith("pip install"))
    assert first.split("  #")[0].strip() == printed
    needed = {"tensorflow": [], "jax": ["export"], "torch": ["onnx"]}[backend]
    for extra in [*needed, "dev"]:
        assert extra in printed.rsplit("[", 1)[1], (extra, printed)
