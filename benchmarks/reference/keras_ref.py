"""Reference: the Keras template's default CNN with `compile`/`fit`, tuned the way Keras documents.

Same data generator idea (a smooth 7x7 pattern per class, upsampled, plus noise, squashed into
[0, 1]), same split (20 % held out), same model (rescaling, conv 32/64/64 with pooling, dense 64,
dropout 0.2; about 93k parameters), Adam, batch 64. Speed settings: NumPy arrays straight into
`fit` (Keras builds its fastest input pipeline per backend) and `jit_compile`, which compiles the
train step with XLA on TensorFlow and JAX. Defaults per backend on the CPU: JAX compiles (without
it every op dispatches eagerly); TensorFlow does not (its oneDNN kernels beat XLA's CPU
convolutions, which is also what `jit_compile="auto"` picks); PyTorch does not (`torch.compile`
takes far longer than this epoch on a CPU). `--jit-compile true|false` overrides. Mixed precision
stays off on the CPU, where it is emulated and slower. Off the TensorFlow backend nothing imports
TensorFlow (see `_keras.seed_everything`).
"""

from __future__ import annotations

import math
import sys

import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import keras
import numpy as np
from _keras import fit_one_epoch, start
from keras import layers


def synthetic(n: int, seed: int, size: int = 28, classes: int = 10) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    coarse = rng.normal(size=(classes, 7, 7, 1))
    patterns = np.kron(coarse, np.ones((1, math.ceil(size / 7), math.ceil(size / 7), 1)))
    patterns = patterns[:, :size, :size, :]
    y = rng.integers(0, classes, size=n)
    x = 1.0 / (1.0 + np.exp(-(patterns[y] + rng.normal(scale=0.6, size=(n, size, size, 1)))))
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(n * 0.2))
    x, y = x.astype("float32"), y.astype("int32")
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


def build_model(seed: int) -> keras.Model:
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)
    for filters in (32, 64, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2, seed=seed)(x)
    return keras.Model(inputs, layers.Dense(10, dtype="float32")(x))


def main() -> None:
    args, backend, gpu, jit = start()
    x, y, x_val, y_val = synthetic(args.num_samples, args.seed)
    fit_one_epoch(
        build_model(args.seed), (x, y), (x_val, y_val), args.batch_size, backend, gpu, jit
    )


if __name__ == "__main__":
    sys.exit(main())
