"""A small CNN built with the functional API (about 93k parameters with the defaults)."""

from __future__ import annotations

import keras
from keras import layers

from .config import DataConfig, ModelConfig


def build_model(data: DataConfig, cfg: ModelConfig, num_classes: int, seed: int = 0) -> keras.Model:
    inputs = keras.Input(shape=(data.image_size, data.image_size, data.channels), name="image")
    # Pixels arrive in [0, 1]; centring them inside the model speeds up the first steps a lot,
    # and keeps the exported artifact's input contract the same as the training data's.
    x = layers.Rescaling(2.0, offset=-1.0, name="center")(inputs)
    for i, filters in enumerate(cfg.filters, start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(cfg.hidden, activation="relu", name="hidden")(x)
    x = layers.Dropout(cfg.dropout, seed=seed, name="dropout")(x)
    # Logits stay float32 under mixed precision so the softmax inside the loss is stable.
    outputs = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(inputs, outputs, name="cnn")


def compile_model(model: keras.Model, lr: float, jit_compile: str | bool = "auto") -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=jit_compile,
    )
    return model
