"""`distribute.strategy`: one device, `DataParallel` on JAX, or `MirroredStrategy` on TensorFlow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import keras

from .errors import ConfigError
from .precision import backend


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


def resolve(strategy: str) -> str:
    """The strategy "auto" stands for on this machine, or the one asked for if it can work here."""
    name = backend()
    if strategy == "auto":
        if name == "jax":
            import jax

            return "data_parallel" if jax.device_count() > 1 else "none"
        if name == "tensorflow":
            import tensorflow as tf

            return "mirrored" if len(tf.config.list_physical_devices("GPU")) > 1 else "none"
        return "none"
    if strategy == "data_parallel" and name != "jax":
        raise ConfigError(
            f"distribute.strategy='data_parallel' needs the JAX backend, not {name!r}; "
            "use 'mirrored' on TensorFlow. Keras offers no data parallelism on PyTorch: "
            "use the PyTorch template (DDP with torchrun) for that."
        )
    if strategy == "mirrored" and name != "tensorflow":
        raise ConfigError(
            f"distribute.strategy='mirrored' needs the TensorFlow backend, not {name!r}; "
            "use 'data_parallel' on JAX."
        )
    return strategy


def check_batch(batch_size: int, devices: int, strategy: str) -> None:
    """Each device takes an equal slice of every batch."""
    if batch_size % devices:
        below, above = (
            batch_size - batch_size % devices,
            batch_size + devices - batch_size % devices,
        )
        options = f"{below} or {above}" if below else str(above)
        raise ConfigError(
            f"data.batch_size {batch_size} must be a multiple of the {devices} devices "
            f"distribute.strategy={strategy!r} splits it over; try {options}"
        )


def place(strategy: str, batch_size: int) -> Placement:
    """Apply `distribute.strategy`; refuse combinations this project does not support."""
    strategy = resolve(strategy)
    if strategy == "none":
        return Placement("none", 1)
    if strategy == "data_parallel":
        devices = keras.distribution.list_devices()
        check_batch(batch_size, len(devices), strategy)
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return Placement("data_parallel", len(devices))
    import tensorflow as tf

    mirrored = tf.distribute.MirroredStrategy()
    check_batch(batch_size, mirrored.num_replicas_in_sync, strategy)
    return Placement("mirrored", mirrored.num_replicas_in_sync, mirrored.scope)
