"""Mixed precision: which Keras dtype policy the layers compute in."""

from __future__ import annotations

import tensorflow as tf


def resolve_mixed_precision(setting: str) -> str | None:
    """The Keras dtype policy name to use, or None for plain float32."""
    if setting == "off":
        return None
    if setting != "auto":
        return setting
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None  # CPUs gain little from reduced precision for a model of this size.
    capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability")
    # bfloat16 needs no loss scaling and runs fast from Ampere (8.0) on; older GPUs get float16.
    return "mixed_bfloat16" if capability and capability >= (8, 0) else "mixed_float16"
