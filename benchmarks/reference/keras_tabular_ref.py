"""Reference: the Keras template's tabular MLP with `compile`/`fit`, tuned the way Keras documents.

Same table, split and preprocessing (the template's shared `table.py`, see `_tabular.py`), same
model (standardisation with missing-value indicators inside the model, one 8-wide embedding per
categorical column, Dense-ReLU-Dropout 128 and 64, dropout 0.1, linear head over the classes),
Adam lr 1e-3, batch 64, one epoch then the validation pass. Speed settings: NumPy arrays straight
into `fit`, and `jit_compile` on JAX (and on a GPU) but not on TensorFlow or torch on the CPU, as
in `keras_ref.py` (`--jit-compile true|false` overrides). Off the TensorFlow backend nothing
imports TensorFlow.
"""

from __future__ import annotations

import sys

import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import _tabular
import keras
import numpy as np
from _keras import fit_one_epoch, start
from keras import layers


class Standardize(layers.Layer):
    def __init__(self, means, stds, **kwargs) -> None:
        super().__init__(**kwargs)
        self.means, self.stds = np.asarray(means, "float32"), np.asarray(stds, "float32")

    def call(self, x):
        missing = keras.ops.isnan(x)
        means = keras.ops.convert_to_tensor(self.means, x.dtype)
        stds = keras.ops.convert_to_tensor(self.stds, x.dtype)
        z = (keras.ops.where(missing, means, x) - means) / stds
        return keras.ops.concatenate([z, keras.ops.cast(missing, x.dtype)], axis=-1)


def build_model(prep, seed: int) -> keras.Model:
    numeric = keras.Input(shape=(len(prep.numeric),))
    categorical = keras.Input(shape=(len(prep.categorical),), dtype="int32")
    parts = [Standardize(prep.means, prep.stds)(numeric)]
    parts += [
        layers.Embedding(len(v) + 1, 8)(categorical[:, j]) for j, v in enumerate(prep.vocabularies)
    ]
    x = layers.Concatenate()(parts)
    for i, units in enumerate((128, 64)):
        x = layers.Dropout(0.1, seed=seed + i)(layers.Dense(units, activation="relu")(x))
    return keras.Model([numeric, categorical], layers.Dense(prep.num_outputs, dtype="float32")(x))


def main() -> None:
    args, backend, gpu, jit = start()
    prep, (xn, xc, y), (vn, vc, vy) = _tabular.load(args.num_samples, args.seed)
    train, val = ([xn, xc.astype("int32")], y), ([vn, vc.astype("int32")], vy)
    fit_one_epoch(build_model(prep, args.seed), train, val, args.batch_size, backend, gpu, jit)


if __name__ == "__main__":
    sys.exit(main())
