"""The model, a small CNN built from Keras layers.

Layers are the convenient part of Keras and carry the mixed-precision policy; everything around
them (the loop, gradients, distribution, checkpoints, export) is plain TensorFlow, so the model is
only ever called as a function: `logits = model(images, training=...)`.
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config

layers = tf.keras.layers


def build_model(
    config: Config, class_names: list[str], dtype_policy: str | None = None
) -> tf.keras.Model:
    """Conv blocks, then a dense head; about 106k parameters for 28x28x1 inputs and 10 classes.

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the compute dtype of the
    hidden layers; variables stay float32 and the logits are float32, so the loss and the
    softmax never run in reduced precision.
    """
    d, m = config.data, config.model
    dtype = dtype_policy or "float32"
    inputs = tf.keras.Input((d.image_size, d.image_size, d.channels), name="images")
    x = inputs
    for filters in m.conv_filters:
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", dtype=dtype)(x)
        x = layers.MaxPooling2D(dtype=dtype)(x)
    x = layers.Flatten(dtype=dtype)(x)
    x = layers.Dense(m.hidden_units, activation="relu", dtype=dtype)(x)
    x = layers.Dropout(m.dropout, dtype=dtype)(x)
    logits = layers.Dense(len(class_names), dtype="float32", name="logits")(x)
    return tf.keras.Model(inputs, logits, name="cnn")
