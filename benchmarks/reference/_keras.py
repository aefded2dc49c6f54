"""What the three Keras references share: the backend chosen before `import keras`, the step
clock as a callback, seeding without TensorFlow, the command line, and one `fit` epoch with the
settings `keras_ref.py` explains (Adam 1e-3, NumPy arrays into `fit`, `jit_compile` on JAX and on
a GPU, bfloat16 on a GPU). Import it before `keras`.
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

import argparse

import keras
import numpy as np
from _common import StepClock, emit, parse_args

BACKENDS = ("tensorflow", "jax", "torch")


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


def start(batch_size: int = 64) -> tuple[argparse.Namespace, str, bool, bool]:
    """The arguments, backend, whether it runs on a GPU and whether to jit; seeds and precision set."""
    backend = keras.backend.backend()
    args = parse_args(
        batch_size=batch_size,
        **{
            "--backend": {"choices": BACKENDS, "default": "tensorflow"},
            "--jit-compile": {"choices": ("true", "false"), "default": None},
        },
    )
    gpu = on_gpu(backend)
    jit = args.jit_compile == "true" if args.jit_compile else backend == "jax" or gpu
    if gpu:
        keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    seed_everything(args.seed, backend)
    return args, backend, gpu, jit


def fit_one_epoch(model: keras.Model, train, val, batch_size: int, backend: str, gpu: bool,
                  jit: bool) -> None:  # fmt: skip
    """Compile, train one epoch with its validation pass, and print the clock's JSON."""
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit,
    )
    clock = Clock(batch_size)
    history = model.fit(
        *train,
        batch_size=batch_size,
        epochs=1,
        validation_data=val,
        shuffle=True,
        verbose=0,
        callbacks=[clock],
    )
    accuracy = round(float(history.history["val_accuracy"][-1]), 4)
    device = "gpu" if gpu else "cpu"
    emit(clock.clock.report(val_accuracy=accuracy, backend=backend, jit_compile=jit, device=device))
