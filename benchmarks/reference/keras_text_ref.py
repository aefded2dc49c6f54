"""Reference: the Keras template's text encoder with `compile`/`fit`, tuned the way Keras documents.

Same texts, split and tokenizer (the template's shared `corpus.py` and `tokenizer.py`, see
`_text.py`), same model (token and learned position embeddings with dropout 0.1, 2 pre-norm
blocks of `MultiHeadAttention` with 4 heads over width 64 masked to the real tokens, dropout 0.1,
then a GELU feed-forward of 128, a final LayerNormalization, the mean over the real tokens, a
linear head), Adam lr 1e-3, batch 32, one epoch then the validation pass. Speed settings: NumPy
arrays straight into `fit`, and `jit_compile` on JAX (and on a GPU) but not on TensorFlow or
torch on the CPU, as in `keras_ref.py` (`--jit-compile true|false` overrides). Off the
TensorFlow backend nothing imports TensorFlow.
"""

from __future__ import annotations

import sys

import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import _text
import keras
from _keras import fit_one_epoch, start
from keras import layers, ops


class Positions(layers.Layer):
    """A learned embedding of each position, added to the token embeddings."""

    def __init__(self, max_length: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.table = self.add_weight(shape=(max_length, dim), name="positions")

    def call(self, x):
        return x + self.table[: ops.shape(x)[1]]

    def compute_output_shape(self, x_shape):
        return x_shape


class MaskedMean(layers.Layer):
    def call(self, x, mask):
        weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def compute_output_shape(self, x_shape, mask_shape=None):
        return (x_shape[0], x_shape[2])


def build_model(vocab_size: int, num_classes: int, seed: int, dim=64, heads=4, ff_dim=128):
    ids = keras.Input(shape=(None,), dtype="int32")
    real = ops.not_equal(ids, _text.PAD_ID)
    attention_mask = ops.expand_dims(real, 1)  # [batch, 1, keys]: broadcast over the queries
    x = Positions(_text.MAX_LENGTH, dim)(layers.Embedding(vocab_size, dim)(ids))
    x = layers.Dropout(0.1, seed=seed)(x)
    for i in range(1, 3):
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.MultiHeadAttention(heads, dim // heads, dropout=0.1, seed=seed + 10 * i)(
            h, h, attention_mask=attention_mask
        )
        x = x + layers.Dropout(0.1, seed=seed + 10 * i + 1)(h)
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.Dense(dim)(layers.Dense(ff_dim, activation="gelu")(h))
        x = x + layers.Dropout(0.1, seed=seed + 10 * i + 2)(h)
    x = MaskedMean()(layers.LayerNormalization(epsilon=1e-6)(x), real)
    return keras.Model(ids, layers.Dense(num_classes, dtype="float32")(x))


def main() -> None:
    args, backend, gpu, jit = start(batch_size=32)
    vocab_size, num_classes, train, val = _text.load(args.num_samples, args.seed)
    model = build_model(vocab_size, num_classes, args.seed)
    fit_one_epoch(model, train, val, args.batch_size, backend, gpu, jit)


if __name__ == "__main__":
    sys.exit(main())
