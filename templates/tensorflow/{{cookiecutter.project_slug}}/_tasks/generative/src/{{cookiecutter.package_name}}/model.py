"""A small convolutional variational autoencoder (about 0.2M parameters at the defaults). The
encoder halves the image once per width and maps it to the mean and log-variance of a Gaussian
code; the decoder (a model of its own, named "decoder": what the export and `predict` run) maps a
code back up through the same widths in reverse to per-pixel logits."""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .task import ImageSpec

layers = tf.keras.layers


class Sampling(layers.Layer):
    """z = mean + sigma * noise in training (the reparameterisation trick, so gradients flow
    through the draw); the mean otherwise, so validation is deterministic and `evaluate`
    reproduces training's figures. Its seed generator is a model variable, checkpointed, so a
    resumed run draws the noise an unbroken one draws."""

    def __init__(self, **kwargs) -> None:
        super().__init__(dtype="float32", **kwargs)
        self.seed_generator = tf.keras.random.SeedGenerator()

    def call(self, inputs, training=None):
        mean, log_var = inputs
        if not training:
            return mean
        noise = tf.keras.random.normal(tf.shape(mean), seed=self.seed_generator)
        return mean + noise * tf.exp(0.5 * log_var)


def build_decoder(spec: ImageSpec, widths: list[int], latent_dim: int, dtype: str):
    cells = spec.image_size >> len(widths)
    codes = tf.keras.Input((latent_dim,), name="codes")
    x = layers.Dense(widths[-1] * cells * cells, activation="silu", dtype=dtype)(codes)
    x = layers.Reshape((cells, cells, widths[-1]), dtype=dtype)(x)
    # 4x4 with stride 2 doubles the size exactly; the last block keeps the first width.
    for width in [*widths[::-1][1:], widths[0]]:
        x = layers.Conv2DTranspose(width, 4, 2, padding="same", activation="silu", dtype=dtype)(x)
    logits = layers.Conv2D(spec.channels, 3, padding="same", dtype="float32", name="logits")(x)
    return tf.keras.Model(codes, logits, name="decoder")


def build_model(config: Config, spec: ImageSpec, dtype_policy: str | None = None):
    """images float32 [batch, size, size, channels] in [0, 1] -> (logits [batch, size, size,
    channels], mean, log-variance [batch, latent_dim]), all float32.

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the convolutions' compute
    dtype; the code and the logits stay float32, so the loss never runs in reduced precision."""
    m, dtype = config.model, dtype_policy or "float32"
    images = tf.keras.Input((spec.image_size, spec.image_size, spec.channels), name="images")
    x = images
    for width in m.widths:
        x = layers.Conv2D(width, 4, 2, padding="same", activation="silu", dtype=dtype)(x)
    x = layers.Flatten(dtype=dtype)(x)
    mean = layers.Dense(m.latent_dim, dtype="float32", name="mean")(x)
    log_var = layers.Dense(m.latent_dim, dtype="float32", name="log_var")(x)
    codes = Sampling(name="sampling")([mean, log_var])
    logits = build_decoder(spec, list(m.widths), m.latent_dim, dtype)(codes)
    return tf.keras.Model(images, [logits, mean, log_var], name="vae")
