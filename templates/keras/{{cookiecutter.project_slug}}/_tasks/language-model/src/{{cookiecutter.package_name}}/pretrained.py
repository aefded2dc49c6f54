"""Fine-tuning a pretrained causal language model (`model.pretrained`: a local KerasHub preset
directory or a preset handle) with KerasHub, the optional `pretrained` extra, by default through
LoRA adapters. The model keeps the project's contract: token ids in, the next token's scores out.
The preset's byte-pair vocabulary and merges are rewritten as the run's `tokenizer.json`, so
training, evaluate, export and predict encode through the one tokenizer class, and the export and
its tokenizer need no KerasHub to serve. Every `.keras` checkpoint holds the whole model, the
adapters merged into the kernels they adapt (Keras saves a LoRA layer so): loading one needs
KerasHub installed, but not the preset. Loading the preset: `hub.py`.
"""

from __future__ import annotations

import keras
from keras import layers, ops
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

from .config_io import ConfigError
from .hub import keras_hub, load_preset, preset, preset_limit
from .task_config import DataConfig, ModelConfig
from .tokenizer import BPETokenizer

NAME = "pretrained_language_model"


def pretrained_tokenizer(name: str) -> BPETokenizer:
    """The preset's byte-pair tokenizer (the GPT-2 family) as a `tokenizers` one: the same
    vocabulary, merges and byte-level splitting, its end token between documents."""
    preset(name)  # a mistyped directory is named before KerasHub is looked for
    hub = keras_hub()
    source = load_preset(hub.tokenizers.Tokenizer, name)
    end = getattr(source, "end_token", None)
    if not isinstance(source, hub.tokenizers.BytePairTokenizer) or end is None:
        raise ConfigError(
            f"model.pretrained = {name!r} has a {type(source).__name__}; this project reads "
            "byte-pair presets with an end token (the GPT-2 family)"
        )
    vocab = {piece: i for i, piece in enumerate(source.get_vocabulary())}
    merges = [tuple(merge.split(" ")) for merge in source.merges]
    tokenizer = Tokenizer(models.BPE(vocab, merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(end, special=True)])
    return BPETokenizer(tokenizer, end_of_text=vocab[end])


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class OnesLike(layers.Layer):
    """The padding mask of windows that hold no padding: every token is real."""

    def call(self, ids):
        return ops.ones_like(ids)


def with_adapters(backbone: keras.Model, rank: int, alpha: float) -> None:
    """LoRA adapters of `rank` on the layers KerasHub adapts by default (the attention's query
    and value projections), everything else frozen; rank 0 leaves every weight trainable.
    KerasHub's own `enable_lora` takes no alpha, hence the walk over the layers here."""
    if rank == 0:
        return
    targets = set(backbone.default_lora_layer_names())
    # Every nested layer, as KerasHub's `enable_lora` walks them.
    nested = backbone._flatten_layers(include_self=False)
    for layer in nested:
        layer.trainable = False
    for layer in nested:
        if layer.name in targets and layer.weights and hasattr(layer, "enable_lora"):
            layer.trainable = True
            layer.enable_lora(rank, lora_alpha=alpha)
            if getattr(layer, "bias", None) is not None:
                layer.bias.trainable = False  # the adapters alone train


def from_preset(data: DataConfig, cfg: ModelConfig) -> keras.Model:
    """The preset's causal LM (backbone and tied output layer), fed windows of `data`."""
    causal_lm = load_preset(keras_hub().models.CausalLM, cfg.pretrained, preprocessor=None)
    positions = getattr(causal_lm.backbone, "max_sequence_length", None)
    if positions is not None and data.context_length > positions:
        raise ConfigError(
            f"data.context_length = {data.context_length} is longer than {cfg.pretrained!r} "
            f"reads ({positions} tokens)"
        )
    with_adapters(causal_lm.backbone, cfg.lora_rank, cfg.lora_alpha)
    ids = keras.Input((None,), dtype="int32", name="token_ids")
    scores = causal_lm({"token_ids": ids, "padding_mask": OnesLike(name="padding_mask")(ids)})
    scores = layers.Activation("linear", dtype="float32", name="scores")(scores)
    return keras.Model(ids, scores, name=NAME)


def export_limit(model: keras.Model) -> int | None:
    """A fine-tuned preset's position table length (None for the model from scratch)."""
    return preset_limit(getattr(layer, "backbone", None) for layer in model.layers)
