"""`model.pretrained`: fine-tuning a tiny BERT built and saved here (nothing is downloaded); export
and predict rebuild it from the checkpoint alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import transformers  # the `pretrained` extra, which `dev` includes

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.data import encode, load_texts
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer
from {{ cookiecutter.package_name }}.train import train

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD_ID = 3  # not 0, so that a model masking id 0 instead of the tokenizer's own padding fails


def save_tiny_bert(folder: Path, texts: list[str]) -> Path:
    """A 2-layer BERT without a head and its fast tokenizer, as `save_pretrained` writes them."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    words = sorted({w for t in texts for w in t.lower().replace(".", " ").split()})
    pieces = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", *words]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 1), ("[SEP]", 2)]
    )
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]",
    )  # fmt: skip
    config = transformers.BertConfig(
        vocab_size=len(pieces), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64, pad_token_id=PAD_ID,
    )  # fmt: skip
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path, Path]:
    root = tmp_path_factory.mktemp("pretrained")
    base = load_config(Config, None, ["data.num_samples=400"])
    encoder = save_tiny_bert(root / "tiny-bert", load_texts(base.data, 0).train_texts)
    settings = [
        f"model.pretrained='{encoder}'", "data.num_samples=400", "data.batch_size=16",
        "data.max_length=32", "trainer.epochs=4", "trainer.lr=3e-3", "trainer.device=cpu",
        f"trainer.runs_dir='{root / 'runs'}'",
    ]  # fmt: skip
    config = load_config(Config, None, settings)
    return config, Path(train(config)["run_dir"]), encoder


def test_fine_tuning_learns_with_the_models_own_tokenizer(
    fine_tuned: tuple[Config, Path, Path],
) -> None:
    config, run, _ = fine_tuned
    state = load_checkpoint(run / BEST)
    tokenizer = TextTokenizer.from_str(state["tokenizer"])
    assert tokenizer.pad_id == PAD_ID
    ids = encode(tokenizer, ["a good film", "bad"], config.data.max_length)
    assert ids[0, 0].item() == 1 and ids[1, -1].item() == PAD_ID  # [CLS] first, its own padding
    assert state["architecture"]["model_type"] == "bert"
    assert state["metrics"]["val_accuracy"] >= 0.7  # two classes: chance is 0.5
    assert evaluate(config, run)["accuracy"] == pytest.approx(state["metrics"]["val_accuracy"])


def test_export_and_predict_need_no_pretrained_files(
    fine_tuned: tuple[Config, Path, Path], tmp_path: Path
) -> None:
    config, run, encoder = fine_tuned
    away = encoder.rename(tmp_path / "elsewhere")
    try:
        state = load_checkpoint(run / BEST)
        result = export(config, run)
        answer = predict(config, run, ["a good film", "not a good film"], None, exported=False)
    finally:
        away.rename(encoder)
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(state)
    texts = load_texts(config.data, 0).val_texts[:5]
    ids = encode(TextTokenizer.load(Path(result["tokenizer"])), texts, config.data.max_length)
    wide = torch.nn.functional.pad(ids, (0, 3), value=PAD_ID)
    with torch.no_grad():
        torch.testing.assert_close(program(ids), model(ids), atol=1e-4, rtol=1e-4)
        # Padding with the model's own id changes nothing: the mask is built from it.
        torch.testing.assert_close(model(wide), model(ids), atol=1e-5, rtol=1e-5)
    assert [p["label"] in state["classes"] for p in answer["predictions"]] == [True, True]


def test_a_missing_pretrained_model_is_one_config_error(tmp_path: Path) -> None:
    config = load_config(Config, None, [f"model.pretrained='{tmp_path / 'nowhere'}'"])
    with pytest.raises(ConfigError, match=r"model\.pretrained"):
        train(config)
