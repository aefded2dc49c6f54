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

import os
import random
import sys
import time

# Keras reads KERAS_BACKEND once, when it is imported: set it from --backend before `import keras`.
os.environ["KERAS_BACKEND"] = (
    sys.argv[sys.argv.index("--backend") + 1] if "--backend" in sys.argv[:-1] else "tensorflow"
)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _tabular
import keras
import numpy as np
from _common import StepClock, emit, parse_args
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
    prep, (xn, xc, y), (vn, vc, vy) = _tabular.load(args.num_samples, args.seed)
    x, x_val = [xn, xc.astype("int32")], [vn, vc.astype("int32")]
    y_val = vy
    model = build_model(prep, args.seed)
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
