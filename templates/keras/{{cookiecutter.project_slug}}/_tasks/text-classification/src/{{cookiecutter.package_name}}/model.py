"""A small Transformer encoder, trained from scratch, built with the functional API.

Token ids in (0 is padding), logits out: learned token and position embeddings, `model.layers`
pre-norm blocks (`keras.layers.MultiHeadAttention` with an attention mask that hides the padding,
then a feed-forward block), a final norm, the mean over the real tokens, a linear head. Padding
changes nothing: it is masked out of attention and pooling, so a text gets the same logits padded
to any length, and the batch and sequence dimensions stay dynamic in the export.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .data import TextMeta
from .norms import LayerNorm
from .pretrained import from_preset
from .task_config import DataConfig, ModelConfig
from .tokenizer import PAD_ID


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class PaddingMask(layers.Layer):
    """Token ids -> a boolean mask, True on real tokens."""

    def __init__(self, pad_id: int = PAD_ID, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pad_id = pad_id

    def call(self, ids):
        return ops.not_equal(ids, self.pad_id)

    def compute_output_spec(self, ids):
        return keras.KerasTensor(ids.shape, dtype="bool")

    def get_config(self) -> dict:
        return {**super().get_config(), "pad_id": self.pad_id}


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class TokenAndPosition(layers.Layer):
    """A token's embedding plus its position's, positions counted over the real tokens only:
    extra padding, at any length, never reads a position row past `max_length`."""

    def __init__(self, vocab_size: int, max_length: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.vocab_size, self.max_length, self.dim = vocab_size, max_length, dim

    def build(self, ids_shape, mask_shape=None) -> None:
        init = keras.initializers.RandomNormal(stddev=0.02)
        self.tokens = self.add_weight(shape=(self.vocab_size, self.dim), initializer=init,
                                      name="tokens")  # fmt: skip
        self.positions = self.add_weight(shape=(self.max_length, self.dim), initializer=init,
                                         name="positions")  # fmt: skip

    def call(self, ids, mask):
        # cumsum, not arange(seq_len): no static sequence length is needed, which keeps the
        # sequence dimension symbolic through jax2tf and ONNX export.
        where = ops.cumsum(ops.cast(mask, "int32"), axis=1) - 1
        where = ops.clip(where, 0, self.max_length - 1)
        x = ops.take(self.tokens, ops.cast(ids, "int32"), axis=0)
        return x + ops.take(self.positions, where, axis=0)

    def compute_output_shape(self, ids_shape, mask_shape=None):
        return (*ids_shape, self.dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "max_length": self.max_length, "dim": self.dim}  # fmt: skip


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class MaskedMean(layers.Layer):
    """The mean over the real tokens of each text (a text of padding only gives zeros)."""

    def call(self, x, mask):
        weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        total = ops.sum(x * weights, axis=1)
        return total / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def compute_output_shape(self, x_shape, mask_shape=None):
        return (x_shape[0], x_shape[2])


def encoder_block(x, attention_mask, cfg: ModelConfig, i: int, seed: int):
    """Pre-norm: x + attention(norm(x)), then x + feed_forward(norm(x))."""
    h = LayerNorm(epsilon=1e-6, name=f"block{i}_norm1")(x)
    h = layers.MultiHeadAttention(
        cfg.heads, cfg.dim // cfg.heads, dropout=cfg.dropout, seed=seed, name=f"block{i}_attention"
    )(h, h, attention_mask=attention_mask)
    h = layers.Dropout(cfg.dropout, seed=seed + 1, name=f"block{i}_dropout1")(h)
    x = layers.Add(name=f"block{i}_residual1")([x, h])
    h = LayerNorm(epsilon=1e-6, name=f"block{i}_norm2")(x)
    h = layers.Dense(cfg.ff_dim, activation="gelu", name=f"block{i}_ff1")(h)
    h = layers.Dense(cfg.dim, name=f"block{i}_ff2")(h)
    h = layers.Dropout(cfg.dropout, seed=seed + 2, name=f"block{i}_dropout2")(h)
    return layers.Add(name=f"block{i}_residual2")([x, h])


def build_model(data: DataConfig, cfg: ModelConfig, meta: TextMeta, seed: int = 0) -> keras.Model:
    """The encoder from scratch, or (model.pretrained) a pretrained one with a new head."""
    if cfg.pretrained:
        return from_preset(
            cfg.pretrained, len(meta.classes), data.max_length, meta.tokenizer.pad_id,
            cfg.dropout, seed,
        )  # fmt: skip
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    mask = PaddingMask(name="padding_mask")(ids)
    # [batch, 1, keys]: every query attends to the real tokens only (broadcast over queries).
    attention_mask = layers.Reshape((1, -1), name="attention_mask")(mask)
    x = TokenAndPosition(meta.tokenizer.vocab_size, data.max_length, cfg.dim, name="embed")(
        ids, mask
    )
    x = layers.Dropout(cfg.dropout, seed=seed, name="embed_dropout")(x)
    for i in range(1, cfg.layers + 1):
        x = encoder_block(x, attention_mask, cfg, i, seed + 10 * i)
    x = LayerNorm(epsilon=1e-6, name="final_norm")(x)
    x = MaskedMean(name="pool")(x, mask)
    # Logits stay float32 under mixed precision so the softmax inside the loss is stable.
    outputs = layers.Dense(len(meta.classes), dtype="float32", name="logits")(x)
    return keras.Model(ids, outputs, name="text_encoder")
