"""A small decoder-only Transformer (about 0.46M parameters at the defaults).

Token ids in, the next token's scores at every position out: token and learned position
embeddings, pre-norm blocks of causal self-attention (`MultiHeadAttention` with its causal mask:
a position attends to itself and the ones before it) and a GELU MLP, a final norm, and an output
layer tied to the token embedding: `TokenEmbedding` is called once forwards (ids to vectors) and
once in reverse (vectors to scores over the vocabulary), so one matrix reads and writes tokens.
Any length up to `data.context_length` runs through the same graph.
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .task import LanguageSpec

keras = tf.keras
layers = keras.layers


class TokenEmbedding(layers.Embedding):
    """An embedding that also scores vectors against every token: `layer(x, reverse=True)` is
    `x @ embeddings.T`, in float32 whatever the dtype policy."""

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        table = tf.cast(self.embeddings, tf.float32)
        return tf.matmul(tf.cast(inputs, tf.float32), table, transpose_b=True)

    def compute_output_spec(self, inputs, reverse=False):
        if reverse:
            return keras.KerasTensor((*inputs.shape[:-1], self.input_dim), dtype="float32")
        return keras.KerasTensor((*inputs.shape, self.output_dim), dtype=self.compute_dtype)


class PositionEmbedding(layers.Layer):
    """A learned vector per position, added to the token vectors."""

    def __init__(self, context_length: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context_length, self.dim = context_length, dim

    def build(self, input_shape) -> None:
        normal = keras.initializers.RandomNormal(stddev=0.02)
        self.table = self.add_weight(
            shape=(self.context_length, self.dim), initializer=normal, name="positions"
        )

    def call(self, x):
        positions = self.table[: tf.shape(x)[1]]
        return x + tf.cast(positions, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


def block(x, m, dtype: str, seed: int, name: str):
    normal = keras.initializers.RandomNormal(stddev=0.02)
    h = layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name=f"{name}_norm1")(x)
    attention = layers.MultiHeadAttention(
        m.heads, m.dim // m.heads, dropout=m.dropout, kernel_initializer=normal, seed=seed,
        dtype=dtype, name=f"{name}_attention",
    )  # fmt: skip
    h = attention(h, h, use_causal_mask=True)
    x = layers.Add(dtype=dtype)([x, layers.Dropout(m.dropout, seed=seed + 1, dtype=dtype)(h)])
    h = layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name=f"{name}_norm2")(x)
    h = layers.Dense(m.ff_dim, activation="gelu", kernel_initializer=normal, dtype=dtype)(h)
    h = layers.Dense(m.dim, kernel_initializer=normal, dtype=dtype)(h)
    return layers.Add(dtype=dtype)([x, layers.Dropout(m.dropout, seed=seed + 2, dtype=dtype)(h)])


def build_model(config: Config, spec: LanguageSpec, dtype_policy: str | None = None):
    """token ids int32 [batch, length <= context_length] -> scores float32 [batch, length, vocab].

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the blocks' compute dtype; the
    scores come out of the tied layer in float32, so the loss never runs in reduced precision."""
    m, dtype = config.model, dtype_policy or "float32"
    ids = keras.Input((None,), dtype="int32", name="token_ids")
    normal = keras.initializers.RandomNormal(stddev=0.02)
    embedding = TokenEmbedding(
        spec.vocab_size, m.dim, embeddings_initializer=normal, dtype=dtype, name="tokens"
    )
    x = PositionEmbedding(spec.context_length, m.dim, dtype=dtype, name="positions")(embedding(ids))
    for i in range(m.layers):
        x = block(x, m, dtype, config.trainer.seed + 10 * i, f"block{i}")
    x = layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name="norm")(x)
    return keras.Model(ids, embedding(x, reverse=True), name="language_model")
