"""A small convolutional variational autoencoder (about 0.2M parameters at the defaults), written
with `keras.ops` only, so it trains on every backend.

The encoder halves the image once per width and maps it to the mean and log-variance of a
Gaussian code; `Sampling` draws the code; the decoder (a functional model of its own: what the
export and `predict` run) maps a code back up through the same widths in reverse to per-pixel
logits. `VAE` is a registered `keras.Model` subclass, so `best.keras` loads in safe mode, and its
`compute_loss` is the negative ELBO: the loss needs the code's mean and variance as well as the
logits, which a compiled per-output loss never sees together.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .task_config import DataConfig, ModelConfig


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class Sampling(layers.Layer):
    """z = mean + sigma * noise while training (the reparameterisation trick, so gradients flow
    through the draw); the mean otherwise, so validation is deterministic and `evaluate`
    reproduces training's figures. The noise comes from the layer's seed generator, which the
    resumable state saves, so a resumed run draws what an unbroken one draws."""

    def __init__(self, seed: int | None = None, **kwargs) -> None:
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        mean, log_var = inputs
        if not training:
            return mean
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + noise * ops.exp(0.5 * log_var)

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


def elbo_terms(outputs, images):
    """Per image: the reconstruction loss (binary cross-entropy summed over pixels) and
    KL(q(z|x) || N(0, I)). In float32 whatever the policy: a sum over thousands of pixels loses
    too much in bfloat16."""
    logits, mean, log_var = (ops.cast(t, "float32") for t in outputs)
    x = ops.cast(images, "float32")
    # The stable form of -[x log sigmoid(l) + (1 - x) log(1 - sigmoid(l))].
    bce = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    kl = -0.5 * ops.sum(1 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=-1), kl


def encoder(image_size: int, channels: int, widths: list[int], latent_dim: int) -> keras.Model:
    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    for width in widths:
        x = layers.Conv2D(width, 4, 2, padding="same", activation="silu")(x)
    x = layers.Flatten()(x)
    mean = layers.Dense(latent_dim, dtype="float32", name="mean")(x)
    log_var = layers.Dense(latent_dim, dtype="float32", name="log_var")(x)
    return keras.Model(images, [mean, log_var], name="encoder")


def decoder(image_size: int, channels: int, widths: list[int], latent_dim: int) -> keras.Model:
    cells = image_size >> len(widths)
    codes = keras.Input((latent_dim,), name="codes")
    x = layers.Dense(widths[-1] * cells * cells, activation="silu")(codes)
    x = layers.Reshape((cells, cells, widths[-1]))(x)
    # 4x4 with stride 2 doubles the size exactly; the last block keeps the first width.
    for width in [*widths[::-1][1:], widths[0]]:
        x = layers.Conv2DTranspose(width, 4, 2, padding="same", activation="silu")(x)
    logits = layers.Conv2D(channels, 3, padding="same", dtype="float32", name="logits")(x)
    return keras.Model(codes, logits, name="decoder")


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class VAE(keras.Model):
    """images float32 [batch, size, size, channels] in [0, 1] -> (logits [batch, size, size,
    channels], mean, log-variance [batch, latent_dim]), all float32. The convolutions compute in
    the global dtype policy (bfloat16 under mixed precision); the code and the logits do not."""

    def __init__(
        self, image_size: int, channels: int, widths: list[int], latent_dim: int, beta: float,
        seed: int = 0, **kwargs,
    ) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.image_size, self.channels, self.widths = image_size, channels, list(widths)
        self.latent_dim, self.beta, self.seed = latent_dim, beta, seed
        self.encoder = encoder(image_size, channels, self.widths, latent_dim)
        self.sampling = Sampling(seed, name="sampling")
        self.decoder = decoder(image_size, channels, self.widths, latent_dim)
        self.built = True

    def call(self, images, training=False):
        mean, log_var = self.encoder(images, training=training)
        codes = self.sampling([mean, log_var], training=training)
        return self.decoder(codes, training=training), mean, log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The negative ELBO per image, averaged over the batch: reconstruction + beta * KL."""
        reconstruction, kl = elbo_terms(y_pred, y)
        return ops.mean(reconstruction + self.beta * kl)

    def get_config(self) -> dict:
        return {"image_size": self.image_size, "channels": self.channels, "name": self.name,
                "widths": self.widths, "latent_dim": self.latent_dim, "beta": self.beta,
                "seed": self.seed}  # fmt: skip


def build_model(data: DataConfig, cfg: ModelConfig, meta, seed: int = 0) -> keras.Model:
    """`meta` is the run's `task.Meta`: the image shape the data has."""
    return VAE(meta.image_size, meta.channels, list(cfg.widths), cfg.latent_dim, cfg.beta,
               seed=seed, name="vae")  # fmt: skip
