"""A small decoder-only Transformer (about 0.46M parameters at the defaults), built with the
functional API and `keras.ops`, so it trains on every backend.

Token ids in, the next token's scores at every position out: token and learned position
embeddings, pre-norm blocks of causal self-attention (each position attends to itself and the ones
before it) and a GELU MLP, a final norm, and an output layer tied to the token embedding:
`TokenEmbedding` is called once forwards (ids to vectors) and once in reverse (vectors to scores
over the vocabulary), so one matrix reads and writes tokens.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .norms import LayerNorm, onnx_exporting
from .pretrained import from_preset
from .task_config import DataConfig, ModelConfig


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class TokenEmbedding(layers.Embedding):
    """An embedding that also scores vectors against every token: `layer(x, reverse=True)` is
    `x @ embeddings.T`, in float32 whatever the dtype policy."""

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        table = ops.cast(ops.convert_to_tensor(self.embeddings), "float32")
        return ops.matmul(ops.cast(inputs, "float32"), ops.transpose(table))

    def compute_output_spec(self, inputs, reverse=False):
        if reverse:
            return keras.KerasTensor((*inputs.shape[:-1], self.input_dim), dtype="float32")
        return keras.KerasTensor((*inputs.shape, self.output_dim), dtype=self.compute_dtype)


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class PositionEmbedding(layers.Layer):
    """A learned vector per position, added to the token vectors; any length up to
    `context_length`."""

    def __init__(self, context_length: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context_length, self.dim = context_length, dim

    def build(self, input_shape) -> None:
        normal = keras.initializers.RandomNormal(stddev=0.02)
        self.table = self.add_weight(shape=(self.context_length, self.dim), initializer=normal,
                                     name="positions")  # fmt: skip

    def call(self, x):
        positions = ops.take(self.table, positions_of(x), axis=0)
        return x + ops.cast(positions, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "context_length": self.context_length, "dim": self.dim}


def positions_of(x):
    """int32 [batch, length]: 0, 1, 2, ... along axis 1. A cumulative sum, not `arange` of the
    length, so that no static length is needed and the length stays symbolic through jax2tf and
    the ONNX exporter."""
    return ops.cumsum(ops.ones_like(x[..., 0], dtype="int32"), axis=1) - 1


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class CausalSelfAttention(layers.MultiHeadAttention):
    """Self-attention in which each position attends to itself and the ones before it. Keras
    hands the causal case to each backend's fused kernel (`is_causal`) with no mask tensor. While
    the PyTorch ONNX exporter traces, the mask is spelled out instead, from positions counted
    along the sequence, so that the length stays a dynamic axis of the export."""

    def build(self, input_shape, *_) -> None:  # from_config passes the query, value and key's
        super().build(input_shape, input_shape)

    def call(self, x, training=None):
        if not onnx_exporting():
            return super().call(x, x, training=training, use_causal_mask=True)
        where = positions_of(x)
        mask = ops.less_equal(where[:, None, :], where[:, :, None])
        return super().call(x, x, attention_mask=mask, training=training)

    def compute_output_shape(self, input_shape, *_):
        return super().compute_output_shape(input_shape, input_shape)

    def compute_output_spec(self, x, training=None):
        return super().compute_output_spec(x, x)


def block(x, cfg: ModelConfig, seed: int, name: str):
    normal = keras.initializers.RandomNormal(stddev=0.02)
    h = LayerNorm(epsilon=1e-5, name=f"{name}_norm1")(x)
    h = CausalSelfAttention(
        cfg.heads, cfg.dim // cfg.heads, dropout=cfg.dropout, kernel_initializer=normal,
        seed=seed, name=f"{name}_attention",
    )(h)  # fmt: skip
    x = layers.Add()([x, layers.Dropout(cfg.dropout, seed=seed + 1)(h)])
    h = LayerNorm(epsilon=1e-5, name=f"{name}_norm2")(x)
    h = layers.Dense(cfg.ff_dim, activation="gelu", kernel_initializer=normal)(h)
    h = layers.Dense(cfg.dim, kernel_initializer=normal)(h)
    return layers.Add()([x, layers.Dropout(cfg.dropout, seed=seed + 2)(h)])


def build_model(data: DataConfig, cfg: ModelConfig, meta, seed: int = 0) -> keras.Model:
    """The Transformer from scratch, or (model.pretrained) a pretrained one to fine-tune. `meta`
    is the run's `task.Meta`: its tokenizer sizes the embedding."""
    if cfg.pretrained:
        return from_preset(data, cfg)
    vocab = meta.tokenizer.vocab_size
    ids = keras.Input((None,), dtype="int32", name="token_ids")
    normal = keras.initializers.RandomNormal(stddev=0.02)
    embedding = TokenEmbedding(vocab, cfg.dim, embeddings_initializer=normal, name="tokens")
    x = PositionEmbedding(data.context_length, cfg.dim, name="positions")(embedding(ids))
    for i in range(cfg.layers):
        x = block(x, cfg, seed + 10 * i, f"block{i}")
    x = LayerNorm(epsilon=1e-5, name="norm")(x)
    scores = embedding(x, reverse=True)
    return keras.Model(ids, scores, name="language_model")
