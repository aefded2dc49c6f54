"""What the active backend computes on, and the mixed-precision policy that follows from it.

Each probe imports only the framework of the active backend.
"""

from __future__ import annotations

import keras


def backend() -> str:
    return keras.backend.backend()


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
