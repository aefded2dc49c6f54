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
TensorFlow (see seed_everything).
"""

from __future__ import annotations

import math
import os
import random
import sys
import time

# Keras reads KERAS_BACKEND once, when it is imported: set it from --backend before `import keras`.
os.environ["KERAS_BACKEND"] = (
    sys.argv[sys.argv.index("--backend") + 1] if "--backend" in sys.argv[:-1] else "tensorflow"
)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _common import StepClock, emit, parse_args
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


class Clock(keras.callbacks.Callback):
    def __init__(self, batch_size: int) -> None:
        super().__init__()
        self.clock = StepClock(batch_size)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.clock.start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.clock.step_done()


def seed_everything(seed: int, backend: str) -> None:
    """`keras.utils.set_random_seed` would import TensorFlow (2+ s) on every backend."""
    random.seed(seed)  # Keras draws its default layer seeds from here
    np.random.seed(seed)
    if backend == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)
    elif backend == "torch":
        import torch

        torch.manual_seed(seed)


def on_gpu(backend: str) -> bool:
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return jax.default_backend() == "gpu"
    import torch

    return torch.cuda.is_available()


def main() -> None:
    backend = keras.backend.backend()
    backends = ("tensorflow", "jax", "torch")
    args = parse_args(
        **{
            "--backend": {"choices": backends, "default": "tensorflow"},
            "--jit-compile": {"choices": ("true", "false"), "default": None},
        }
    )
    gpu = on_gpu(backend)
    jit = args.jit_compile == "true" if args.jit_compile else backend == "jax" or gpu
    if gpu:
        keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    seed_everything(args.seed, backend)
    x, y, x_val, y_val = synthetic(args.num_samples, args.seed)
    model = build_model(args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit,
    )
    clock = Clock(args.batch_size)
    history = model.fit(
        x,
        y,
        batch_size=args.batch_size,
        epochs=1,
        validation_data=(x_val, y_val),
        shuffle=True,
        verbose=0,
        callbacks=[clock],
    )
    accuracy = round(float(history.history["val_accuracy"][-1]), 4)
    device = "gpu" if gpu else "cpu"
    emit(clock.clock.report(val_accuracy=accuracy, backend=backend, jit_compile=jit, device=device))


if __name__ == "__main__":
    sys.exit(main())
