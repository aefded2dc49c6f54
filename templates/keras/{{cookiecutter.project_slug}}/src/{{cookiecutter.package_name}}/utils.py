"""Seeding, device detection, mixed precision and the distribution strategy.

Each helper imports only the framework of the active backend: `keras.utils.set_random_seed` would
import TensorFlow whenever it is installed, even for a JAX or PyTorch run.
"""

from __future__ import annotations

import contextlib
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from .config_io import ConfigError


def backend() -> str:
    return keras.backend.backend()


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend; Keras draws its default layer seeds from `random`."""
    random.seed(seed)
    np.random.seed(seed)
    if backend() == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)
    elif backend() == "torch":
        import torch

        torch.manual_seed(seed)
    # JAX has no global random state; its randomness comes from seeds Keras draws from `random`.


def accelerator() -> str:
    """'gpu', 'tpu', 'mps' or 'cpu': what the active backend will compute on."""
    if backend() == "tensorflow":
        import tensorflow as tf

        return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    if backend() == "jax":
        import jax

        return jax.default_backend()
    import torch

    if torch.cuda.is_available():
        return "gpu"
    return "mps" if torch.backends.mps.is_available() else "cpu"


def set_precision(mode: str) -> str:
    """Set the global dtype policy; returns its name."""
    if mode == "auto":
        mode = "bf16" if accelerator() in ("gpu", "tpu") else "off"
    policy = {"off": "float32", "bf16": "mixed_bfloat16", "fp16": "mixed_float16"}[mode]
    keras.mixed_precision.set_dtype_policy(policy)
    return policy


@dataclass
class Placement:
    """Where the model lives: a scope to build and compile it in, and the devices it uses."""

    strategy: str
    num_devices: int
    _scope: Any = field(default=None, repr=False)

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        with self._scope() if self._scope is not None else contextlib.nullcontext():
            yield


def place(strategy: str) -> Placement:
    """Apply `distribute.strategy`; refuse combinations this project does not support."""
    name = backend()
    if strategy == "auto":
        if name == "jax":
            import jax

            strategy = "data_parallel" if jax.device_count() > 1 else "none"
        elif name == "tensorflow":
            import tensorflow as tf

            gpus = len(tf.config.list_physical_devices("GPU"))
            strategy = "mirrored" if gpus > 1 else "none"
        else:
            strategy = "none"
    if strategy == "none":
        return Placement("none", 1)
    if strategy == "data_parallel":
        if name != "jax":
            raise ConfigError(
                f"distribute.strategy='data_parallel' needs the JAX backend, not {name!r}; "
                "use 'mirrored' on TensorFlow. Keras offers no data parallelism on PyTorch: "
                "use the PyTorch template (DDP with torchrun) for that."
            )
        devices = keras.distribution.list_devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return Placement("data_parallel", len(devices))
    if name != "tensorflow":
        raise ConfigError(
            f"distribute.strategy='mirrored' needs the TensorFlow backend, not {name!r}; "
            "use 'data_parallel' on JAX."
        )
    import tensorflow as tf

    mirrored = tf.distribute.MirroredStrategy()
    return Placement("mirrored", mirrored.num_replicas_in_sync, mirrored.scope)


@contextlib.contextmanager
def tensorflow_kept_unloaded() -> Iterator[None]:
    """Stop Keras from importing TensorFlow (about 2 s) on the JAX and PyTorch backends.

    Keras's `.keras` serializer asks whether TensorFlow is available, by importing it, before it
    checks whether an object is a `tf.TensorShape`, so saving a checkpoint would load TensorFlow
    whenever it happens to be installed. Off the TensorFlow backend no TensorFlow object can be in
    the model, so Keras is told it is unavailable for the duration. If a future Keras moves the
    private flag this becomes a no-op (and the project's test of it fails).
    """
    lazy = None
    if backend() != "tensorflow" and "tensorflow" not in sys.modules:
        try:
            from keras.src.utils.module_utils import tensorflow as lazy
        except ImportError:
            lazy = None
    if lazy is None or not hasattr(lazy, "_available"):
        yield
        return
    previous, lazy._available = lazy._available, False
    try:
        yield
    finally:
        lazy._available = previous
