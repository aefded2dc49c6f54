"""`model.pretrained`: fine-tuning a tiny GPT-2 preset built and saved here (nothing is
downloaded), through LoRA adapters or every weight; export, evaluate and predict read the run
alone, not the preset.

Run them with the `pretrained` extra installed (`dev` leaves it out): `pytest -m pretrained`; a
plain `pytest` deselects them. Collecting this file, and its last test, need no KerasHub: it is
imported inside the tests that build or read a preset."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.checkpoint import load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.corpus import load_documents
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import new_split, read_meta, score
from {{ cookiecutter.package_name }}.tokenizer import END_OF_TEXT, BPETokenizer
from {{ cookiecutter.package_name }}.train import train

DATA = ["data.num_documents=400", "data.context_length=32", "data.batch_size=16"]
TRAINER = ["trainer.lr=0.01", "trainer.mixed_precision='off'", "trainer.tensorboard=false"]


def vocabulary(documents: list[str]) -> tuple[dict[str, int], list[str]]:
    """The project's BPE learnt from `documents`, with the end token moved to the last id, so
    that a run which used the project's own end-of-text id (256) instead of the preset's fails."""
    learnt = json.loads(BPETokenizer.train(documents, 320).to_str())["model"]
    pieces = [p for p, _ in sorted(learnt["vocab"].items(), key=lambda kv: kv[1])]
    pieces = [p for p in pieces if p != END_OF_TEXT] + [END_OF_TEXT]
    merges = [m if isinstance(m, str) else " ".join(m) for m in learnt["merges"]]
    return {p: i for i, p in enumerate(pieces)}, merges


def pretrain(backbone: keras.Model, windows: np.ndarray, steps: int = 60) -> None:
    """A few steps of every weight on other documents, so that the base model knows the words
    (LoRA on random embeddings has little to adapt)."""
    import keras_hub

    causal_lm = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    causal_lm.compile(optimizer=keras.optimizers.Adam(3e-3), loss=loss, sampler="greedy")
    draw = np.random.default_rng(0).integers(len(windows), size=steps * 16)
    batch = windows[draw]
    inputs = {"token_ids": batch[:, :-1], "padding_mask": np.ones_like(batch[:, :-1])}
    causal_lm.fit(inputs, batch[:, 1:], batch_size=16, epochs=1, shuffle=False, verbose=0)


def save_tiny_gpt2(folder: Path, documents: list[str], other: list[str]) -> Path:
    """A 2-layer GPT-2 backbone, briefly pretrained on `other`, and its byte-pair tokenizer, as
    `save_to_preset` writes them."""
    import keras_hub

    vocab, merges = vocabulary(documents)
    tokenizer = keras_hub.models.GPT2Tokenizer(vocabulary=vocab, merges=merges)
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.GPT2Backbone(
        vocabulary_size=len(vocab), num_layers=2, num_heads=2, hidden_dim=32,
        intermediate_dim=64, dropout=0.0, max_sequence_length=64,
    )  # fmt: skip
    ids = [i for doc in other for i in (*np.asarray(tokenizer(doc)).tolist(), vocab[END_OF_TEXT])]
    pretrain(backbone, np.asarray(ids[: len(ids) // 33 * 33], np.int32).reshape(-1, 33))
    backbone.save_to_preset(str(folder))
    tokenizer.save_to_preset(str(folder))
    return folder


def settings(preset: Path, runs: Path, *more: str) -> Config:
    where = [f"model.pretrained='{preset}'", f"trainer.runs_dir='{runs}'"]
    return load_config(Config, None, [*DATA, *TRAINER, "trainer.epochs=3", *where, *more])


def perplexities(run: Path) -> list[float]:
    with (run / "metrics.csv").open(newline="") as f:
        return [float(row["val_perplexity"]) for row in csv.DictReader(f)]


def numpy(weight: keras.Variable) -> np.ndarray:
    return keras.ops.convert_to_numpy(weight)


def backbone_of(model: keras.Model) -> keras.Model:
    (causal_lm,) = [layer for layer in model.layers if hasattr(layer, "backbone")]
    return causal_lm.backbone


@pytest.fixture(scope="module")
def preset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = load_config(Config, None, DATA).data
    documents = load_documents(data.source, data.num_documents, data.val_fraction, 0).train
    other = load_documents(data.source, data.num_documents, data.val_fraction, 1).train
    return save_tiny_gpt2(tmp_path_factory.mktemp("pretrained") / "tiny-gpt2", documents, other)


@pytest.fixture(scope="module")
def fine_tuned(preset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    config = settings(preset, tmp_path_factory.mktemp("runs"))
    return config, Path(train(config)["run_dir"])


@pytest.mark.pretrained
def test_only_the_adapters_train(preset: Path) -> None:
    config = settings(preset, Path("unused"))
    model = build_model(config.data, config.model, new_split(config, seed=0).meta)
    trainable = [w.path.split("/")[-2:] for w in model.trainable_weights]
    # A and B of the query and value projections of 2 blocks; nothing else.
    assert len(trainable) == 2 * 2 * 2
    assert {layer for layer, _ in trainable} == {"query", "value"}
    assert {name for _, name in trainable} == {"lora_kernel_a", "lora_kernel_b"}


@pytest.mark.pretrained
def test_adapters_learn_and_the_other_weights_stay(
    fine_tuned: tuple[Config, Path], preset: Path
) -> None:
    """`best.keras` holds the adapters merged into the kernels they adapt (as Keras saves a LoRA
    layer): those kernels moved, every other weight is the preset's."""
    import keras_hub

    config, run = fine_tuned
    meta = read_meta(run)
    last = keras_hub.tokenizers.Tokenizer.from_preset(str(preset)).vocabulary_size() - 1
    assert meta.pretrained == str(preset) and meta.tokenizer.end_of_text == last
    model, _ = load_checkpoint(run)
    weights = backbone_of(model).weights
    base = keras_hub.models.Backbone.from_preset(str(preset)).weights
    assert [w.path for w in weights] == [w.path for w in base]
    for mine, theirs in zip(weights, base, strict=True):
        adapted = mine.path.endswith(("query/kernel", "value/kernel"))
        assert np.array_equal(numpy(mine), numpy(theirs)) != adapted, mine.path

    split = new_split(config, seed=0)
    causal_lm = keras_hub.models.CausalLM.from_preset(str(preset), preprocessor=None)
    inputs = {"token_ids": split.x_val, "padding_mask": np.ones_like(split.x_val)}
    before = score(np.float64(causal_lm.predict(inputs, verbose=0)), split.y_val, split.meta)
    after = perplexities(run)
    # The base model already knows these words, and adapters on two projections of a 32-wide
    # model have little room: three epochs gain 5-8 % (by backend), every weight far more.
    assert min(after) < 0.97 * before["perplexity"]
    assert evaluate(config, run)["perplexity"] == pytest.approx(min(after), rel=1e-5)


@pytest.mark.pretrained
def test_export_and_predict_need_no_preset(
    fine_tuned: tuple[Config, Path], preset: Path, tmp_path: Path
) -> None:
    config, run = fine_tuned
    greedy = {"max_new_tokens": 8, "temperature": 0.0}
    away = preset.rename(tmp_path / "elsewhere")
    try:
        eager = predict(config, run, ["anna lives"], None, False, **greedy)
        if keras.backend.backend() == "torch":  # no ONNX export of KerasHub's layers: one line
            with pytest.raises(ProjectError, match="exports from the tensorflow or jax backend"):
                export(config, run)
            assert not (run / "export").exists()
        else:
            assert export(config, run)["max_abs_diff"] < 1e-4
            exported = predict(config, run, ["anna lives"], None, True, **greedy)
            assert exported["predictions"] == eager["predictions"]
    finally:
        away.rename(preset)
    assert eager["predictions"][0]["num_tokens"] >= 1


@pytest.mark.pretrained
def test_a_resumed_fine_tuning_equals_an_unbroken_one(
    fine_tuned: tuple[Config, Path], preset: Path, tmp_path: Path
) -> None:
    _, unbroken = fine_tuned
    first = Path(train(settings(preset, tmp_path, "trainer.epochs=1"))["run_dir"])
    train(settings(preset, tmp_path), resume=first)
    assert perplexities(first) == pytest.approx(perplexities(unbroken), rel=1e-5)


@pytest.mark.pretrained
def test_rank_0_fine_tunes_every_weight(preset: Path, tmp_path: Path) -> None:
    import keras_hub

    config = settings(preset, tmp_path, "model.lora_rank=0", "trainer.epochs=1", "trainer.lr=1e-3")
    model, _ = load_checkpoint(Path(train(config)["run_dir"]))
    weights = backbone_of(model).weights
    base = keras_hub.models.Backbone.from_preset(str(preset)).weights
    assert not any("lora" in w.path for w in weights) and len(weights) == len(base)
    assert all(not np.array_equal(numpy(w), numpy(b)) for w, b in zip(weights, base, strict=True))


@pytest.mark.pretrained
def test_a_context_longer_than_the_preset_reads_is_one_config_error(
    preset: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"data\.context_length = 128 is longer than .* \(64"):
        train(settings(preset, tmp_path / "runs", "data.context_length=128"))
    assert not (tmp_path / "runs").exists()


def test_a_missing_preset_is_one_config_error(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(ConfigError, match=r"model\.pretrained .* is not a directory"):
        train(settings(tmp_path / "nowhere", runs))
    assert not runs.exists()  # refused before a run directory was made
