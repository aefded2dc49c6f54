"""Fine-tuning a pretrained encoder (`model.pretrained`: a local KerasHub preset directory or a
preset handle) with KerasHub, the optional `pretrained` extra. The model keeps the project's
contract: token ids in (padding masked out), logits out. Its WordPiece vocabulary is rewritten as
the project's `tokenizer.json`, so training, evaluate, export and predict all encode through the
one tokenizer class, and the export and its tokenizer need no KerasHub to serve. The whole model,
backbone included, is saved in every `.keras` checkpoint: loading one needs KerasHub installed,
but not the preset. Loading the preset: `hub.py`.
"""

from __future__ import annotations

import keras
from keras import layers, ops
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from .config_io import ConfigError
from .hub import keras_hub, load_preset, preset
from .tokenizer import TextTokenizer


def pretrained_tokenizer(name: str) -> TextTokenizer:
    """The preset's WordPiece tokenizer as a `tokenizers` one: same vocabulary, normalisation
    and [CLS] ... [SEP] framing as KerasHub's preprocessing, padded with the preset's [PAD]."""
    preset(name)  # a mistyped directory is named before KerasHub is looked for
    hub = keras_hub()
    source = load_preset(hub.tokenizers.Tokenizer, name)
    if not isinstance(source, hub.tokenizers.WordPieceTokenizer):
        raise ConfigError(
            f"model.pretrained = {name!r} has a {type(source).__name__}; this project reads "
            "WordPiece presets (the BERT family)"
        )
    vocab = {piece: i for i, piece in enumerate(source.get_vocabulary())}
    tokenizer = Tokenizer(
        models.WordPiece(vocab, unk_token=source.oov_token, continuing_subword_prefix="##")
    )
    tokenizer.normalizer = normalizers.BertNormalizer(
        lowercase=source.lowercase,
        strip_accents=source.strip_accents,
        handle_chinese_chars=source.split_on_cjk,
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = getattr(source, "cls_token", None), getattr(source, "sep_token", None)
    if cls in vocab and sep in vocab:
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{cls} $A {sep}", special_tokens=[(cls, vocab[cls]), (sep, vocab[sep])]
        )
    pad = getattr(source, "pad_token", None)
    if pad not in vocab:
        raise ConfigError(f"model.pretrained = {name!r} has no padding token in its vocabulary")
    return TextTokenizer(tokenizer, pad=pad)


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class ZerosLike(layers.Layer):
    """One segment for every token: a classifier reads single texts, not pairs."""

    def call(self, ids):
        return ops.zeros_like(ids)


def from_preset(
    name: str, num_classes: int, max_length: int, pad_id: int, dropout: float, seed: int
) -> keras.Model:
    """The preset's backbone with a new head of `num_classes` outputs over the mean of its
    real tokens' states (the from-scratch encoder's pooling)."""
    from .model import MaskedMean, PaddingMask

    backbone = load_preset(keras_hub().models.Backbone, name)
    positions = getattr(backbone, "max_sequence_length", None)
    if positions is not None and max_length > positions:
        raise ConfigError(
            f"data.max_length = {max_length} is longer than {name!r} reads ({positions} tokens)"
        )
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    mask = PaddingMask(pad_id, name="padding_mask")(ids)
    expected = {tensor.name.split(":")[0] for tensor in backbone.inputs}
    feeds = {"token_ids": ids, "padding_mask": ops.cast(mask, "int32")}
    if "segment_ids" in expected:
        feeds["segment_ids"] = ZerosLike(name="segment_ids")(ids)
    outputs = backbone({key: feeds[key] for key in feeds if key in expected})
    states = outputs["sequence_output"] if isinstance(outputs, dict) else outputs
    x = MaskedMean(name="pool")(states, mask)
    x = layers.Dropout(dropout, seed=seed, name="head_dropout")(x)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(ids, logits, name="pretrained_text_encoder")
