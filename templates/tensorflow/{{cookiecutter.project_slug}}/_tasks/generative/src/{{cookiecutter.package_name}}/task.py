"""What the training loop asks of the generative task: the negative ELBO per image (binary
cross-entropy summed over pixels plus beta times the KL divergence from the prior), its two terms
as metrics, the image shape a checkpoint carries, and the grid of samples after each epoch."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import tensorflow as tf

from .pictures import write_grid
from .task_config import METRIC_MODES, ModelConfig

SAMPLES_DIR = "samples"  # inside the run directory: one grid per epoch


@dataclass(frozen=True)
class ImageSpec:
    image_size: int
    channels: int


def elbo_terms(outputs, images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Per image: the reconstruction loss and KL(q(z|x) || N(0, I)). In float32 whatever the
    policy: a sum over thousands of pixels loses too much in bfloat16."""
    logits, mean, log_var = (tf.cast(t, tf.float32) for t in outputs)
    bce = tf.nn.sigmoid_cross_entropy_with_logits(tf.cast(images, tf.float32), logits)
    kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
    return tf.reduce_sum(bce, axis=[1, 2, 3]), kl


class Task:
    """The model returns (logits, mean, log-variance); both terms travel as sums, which add up
    exactly over batches and replicas."""

    sum_names = ("reconstruction", "kl")
    val_metrics: ClassVar[list[str]] = [m for m in METRIC_MODES if m.startswith("val_")]

    def __init__(self, spec: ImageSpec, model: ModelConfig) -> None:
        self.spec = spec
        self.beta = model.beta
        self.samples_per_epoch = model.samples_per_epoch

    def describe(self) -> str:
        return f"{self.spec.channels}-channel {self.spec.image_size}px images"

    def loss(self, outputs, images: tf.Tensor) -> tf.Tensor:
        rec, kl = elbo_terms(outputs, images)
        return rec + self.beta * kl

    def sums(self, outputs, images: tf.Tensor) -> tf.Tensor:
        rec, kl = elbo_terms(outputs, images)
        return tf.stack([tf.reduce_sum(rec), tf.reduce_sum(kl)])

    def rows(self, outputs, images: tf.Tensor) -> tuple:
        return ()

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        rec, kl = (s / max(count, 1.0) for s in sums)
        return {"val_reconstruction": rec, "val_kl": kl}

    def write_samples(self, model: tf.keras.Model, run: Path, epoch: int, seed: int) -> None:
        """The same codes (drawn from trainer.seed alone) through this epoch's decoder, as
        samples/epoch-NNN.png: a resumed run's grids are an unbroken run's."""
        if self.samples_per_epoch:
            decoder = model.get_layer("decoder")
            codes = prior_codes(self.samples_per_epoch, int(decoder.input_shape[-1]), seed)
            grid = decode(decoder, codes, len(codes))
            write_grid(grid, run / SAMPLES_DIR / f"epoch-{epoch:03d}.png")


def prior_codes(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """float32 [count, latent_dim] from N(0, I), a pure function of the seed."""
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def decode(decoder: tf.keras.Model, codes: np.ndarray, batch_size: int) -> np.ndarray:
    """Pixel probabilities float32 [N, size, size, channels] of `codes`, batch by batch."""
    parts = [
        tf.sigmoid(tf.cast(decoder(codes[i : i + batch_size], training=False), tf.float32))
        for i in range(0, len(codes), batch_size)
    ]
    return np.concatenate([p.numpy() for p in parts])


def spec_to_text(spec: ImageSpec) -> str:
    return json.dumps(asdict(spec))


def spec_from_text(text: str) -> ImageSpec:
    return ImageSpec(**json.loads(text))


def spec_mismatch(saved: ImageSpec, current: ImageSpec) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved == current:
        return None
    return (
        f"the run was trained on {saved.channels}-channel {saved.image_size}px images, but the "
        f"data now holds {current.channels}-channel {current.image_size}px images "
        "(data.channels, data.image_size)"
    )
