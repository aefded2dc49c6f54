"""`model.pretrained`: fine-tuning a tiny BERT preset built and saved here (nothing is
downloaded); export, evaluate and predict read the run alone, not the preset.

The `pretrained` tests need that extra, which `dev` leaves out: `pip install -e '.[pretrained]'`,
then `pytest -m pretrained` (a plain `pytest` deselects them). KerasHub is imported where it is
used, so that collecting this file, and the last test, need none."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.checkpoint import load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.corpus import load_corpus
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import read_meta
from {{ cookiecutter.package_name }}.tokenizer import TOKENIZER, TextTokenizer
from {{ cookiecutter.package_name }}.train import train

PAD_ID = 3  # not 0, so that a model masking id 0 instead of the preset's own padding fails


def save_tiny_bert(folder: Path, texts: list[str]) -> Path:
    """A 2-layer BERT backbone and its WordPiece tokenizer, as `save_to_preset` writes them."""
    import keras_hub

    words = sorted({w for t in texts for w in t.lower().replace(".", " ").split()})
    vocab = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", *words]
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocab), num_layers=2, num_heads=2, hidden_dim=32,
        intermediate_dim=64, max_sequence_length=64,
    )  # fmt: skip
    backbone.save_to_preset(str(folder))
    keras_hub.tokenizers.BertTokenizer(vocabulary=vocab, lowercase=True).save_to_preset(str(folder))
    return folder


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path, Path]:
    root = tmp_path_factory.mktemp("pretrained")
    base = load_config(Config, None, ["data.num_samples=400"])
    corpus = load_corpus(
        base.data.source, text_column="text", label_column="label", num_samples=400,
        val_fraction=base.data.val_fraction, seed=base.trainer.seed,
    )  # fmt: skip
    preset = save_tiny_bert(root / "tiny-bert", corpus.train_texts)
    settings = [
        f"model.pretrained='{preset}'", "data.num_samples=400", "data.batch_size=16",
        "data.max_length=32", "trainer.epochs=6", "trainer.lr=3e-3",
        "trainer.mixed_precision='off'", "trainer.tensorboard=false",
        f"trainer.runs_dir='{root / 'runs'}'",
    ]  # fmt: skip
    config = load_config(Config, None, settings)
    return config, Path(train(config)["run_dir"]), preset


@pytest.mark.pretrained
def test_fine_tuning_learns_with_the_presets_own_tokenizer(
    fine_tuned: tuple[Config, Path, Path],
) -> None:
    config, run, _ = fine_tuned
    meta = read_meta(run)
    assert meta.pretrained == str(fine_tuned[2]) and meta.tokenizer.pad_id == PAD_ID
    ids = meta.tokenizer.encode(["a good film", "bad"], config.data.max_length)
    assert ids[0, 0] == 1 and ids[1, -1] == PAD_ID  # [CLS] first, its own padding
    evaluated = evaluate(config, run)
    assert evaluated["accuracy"] >= 0.7  # two classes: chance is 0.5
    assert evaluated["loss"] == pytest.approx(evaluated["recorded"]["value"], rel=1e-5)


@pytest.mark.pretrained
def test_export_and_predict_need_no_preset(
    fine_tuned: tuple[Config, Path, Path], tmp_path: Path
) -> None:
    config, run, preset = fine_tuned
    texts = ["a good film", "not a good film"]
    away = preset.rename(tmp_path / "elsewhere")
    try:
        if keras.backend.backend() == "torch":  # no ONNX export of KerasHub's layers: one line
            with pytest.raises(ProjectError, match="exports from the tensorflow or jax backend"):
                export(config, run)
            assert not (run / "export").exists()
            answer = predict(config, run, texts, None, exported=False)
        else:
            assert export(config, run)["max_abs_diff"] < 1e-4
            assert TextTokenizer.load(run / "export" / TOKENIZER).pad_id == PAD_ID
            answer = predict(config, run, texts, None, exported=True)
        model, _ = load_checkpoint(run)
    finally:
        away.rename(preset)
    assert [p["label"] in read_meta(run).classes for p in answer["predictions"]] == [True, True]
    ids = read_meta(run).tokenizer.encode(["a good film", "bad"], config.data.max_length)
    wide = np.pad(ids, ((0, 0), (0, 3)), constant_values=PAD_ID)
    # Padding with the preset's own id changes nothing: the mask is built from it.
    np.testing.assert_allclose(
        model.predict(wide, verbose=0), model.predict(ids, verbose=0), atol=1e-5
    )


def test_a_missing_preset_is_one_config_error(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    settings = [f"model.pretrained='{tmp_path / 'nowhere'}'", f"trainer.runs_dir='{runs}'"]
    config = load_config(Config, None, settings)
    with pytest.raises(ConfigError, match=r"model\.pretrained .* is not a directory"):
        train(config)
    assert not runs.exists()  # refused before a run directory was made
