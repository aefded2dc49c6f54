"""The model: a small Transformer encoder trained from scratch.

Token embedding (id 0 is padding) plus learned positions, `model.layers` pre-norm blocks whose
attention never looks at padding, a mean over the real tokens and a linear head. A text's
logits therefore do not depend on how far its batch was padded. It takes int32 ids of any batch
and sequence length (up to data.max_length positions).
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .task import TextSpec
from .tokenizer import PAD_ID

layers = tf.keras.layers


class RealTokens(layers.Layer):
    """ids -> True where a real token is, False on padding."""

    def call(self, ids: tf.Tensor) -> tf.Tensor:
        return tf.not_equal(ids, PAD_ID)


class TokenAndPosition(layers.Layer):
    """ids [batch, length] -> token + position embeddings [batch, length, dim]."""

    def __init__(self, vocab_size: int, max_length: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tokens = layers.Embedding(vocab_size, dim, dtype=self.dtype_policy)
        self.positions = layers.Embedding(max_length, dim, dtype=self.dtype_policy)

    def call(self, ids: tf.Tensor) -> tf.Tensor:
        positions = tf.range(tf.shape(ids)[1])
        return self.tokens(ids) + self.positions(positions)[tf.newaxis]


class EncoderBlock(layers.Layer):
    """Pre-norm: x + attention(norm(x)), then x + feed-forward(norm(x)). Normalising before each
    sub-layer keeps a from-scratch encoder stable without a learning-rate warm-up."""

    def __init__(self, dim: int, heads: int, ff_dim: int, dropout: float, **kwargs) -> None:
        super().__init__(**kwargs)
        policy = self.dtype_policy
        self.norm1 = layers.LayerNormalization(epsilon=1e-6, dtype=policy)
        self.attention = layers.MultiHeadAttention(
            heads, dim // heads, dropout=dropout, dtype=policy
        )
        self.norm2 = layers.LayerNormalization(epsilon=1e-6, dtype=policy)
        self.ff1 = layers.Dense(ff_dim, activation="gelu", dtype=policy)
        self.ff2 = layers.Dense(dim, dtype=policy)
        self.drop = layers.Dropout(dropout, dtype=policy)

    def call(self, x: tf.Tensor, real: tf.Tensor, training: bool = False) -> tf.Tensor:
        # [batch, query, key]: every query position may look at the real keys only.
        attention_mask = real[:, tf.newaxis, :] & tf.ones_like(real)[:, :, tf.newaxis]
        h = self.norm1(x)
        h = self.attention(h, h, attention_mask=attention_mask, training=training)
        x = x + self.drop(h, training=training)
        h = self.ff2(self.ff1(self.norm2(x)))
        return x + self.drop(h, training=training)


class MaskedMean(layers.Layer):
    """The mean over the real tokens only, so padding never dilutes a text's vector."""

    def call(self, x: tf.Tensor, real: tf.Tensor) -> tf.Tensor:
        weights = tf.cast(real, x.dtype)[:, :, tf.newaxis]
        total = tf.reduce_sum(x * weights, axis=1)
        return total / tf.maximum(tf.reduce_sum(weights, axis=1), 1.0)


def build_model(config: Config, spec: TextSpec, dtype_policy: str | None = None) -> tf.keras.Model:
    """token_ids int32 [batch, length] (0 = padding) -> logits float32 [batch, classes].

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the compute dtype of the
    encoder; variables and the logits stay float32, so the loss never runs in reduced precision.
    """
    m, dtype = config.model, dtype_policy or "float32"
    ids = tf.keras.Input((None,), dtype="int32", name="token_ids")
    real = RealTokens(name="real_tokens")(ids)
    x = TokenAndPosition(
        spec.tokenizer.vocab_size, config.data.max_length, m.dim, dtype=dtype, name="embed"
    )(ids)
    x = layers.Dropout(m.dropout, dtype=dtype)(x)
    for i in range(m.layers):
        x = EncoderBlock(m.dim, m.heads, m.ff_dim, m.dropout, dtype=dtype, name=f"block_{i}")(
            x, real
        )
    x = layers.LayerNormalization(epsilon=1e-6, dtype=dtype, name="final_norm")(x)
    x = MaskedMean(dtype=dtype, name="mean_over_tokens")(x, real)
    logits = layers.Dense(spec.num_classes, dtype="float32", name="logits")(x)
    return tf.keras.Model(ids, logits, name="text_encoder")
