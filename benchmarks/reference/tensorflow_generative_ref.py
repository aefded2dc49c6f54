"""Reference: the TensorFlow template's VAE in a minimal custom loop, TensorFlow's way.

Same images and split (the template's shared `pictures.py`, see `_generative.py`), same model (an
encoder of 4 x 4 stride-2 convolutions with SiLU at widths 32 and 64, a dense map to the mean and
log-variance of a 16-dimensional code; a decoder of a dense map, SiLU, 4 x 4 stride-2 transposed
convolutions back up and a 3 x 3 convolution to pixel logits), channels last, the same loss
(binary cross-entropy summed over pixels plus beta times the KL term, averaged over images, in
float32), AdamW at the template's rate with cosine decay and weight decay 1e-4, batch 64 with the
last short batch dropped, one epoch then the validation pass on the mean codes. Speed settings:
the whole train step in one `tf.function`, cached and prefetched `tf.data`; no XLA on the CPU
(`--xla` turns it on); the mixed_bfloat16 policy on a GPU only.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _generative as g
import tensorflow as tf
from _common import StepClock, emit, parse_args

layers = tf.keras.layers


def build(dtype: str) -> tuple[tf.keras.Model, tf.keras.Model]:
    cells, widths = g.IMAGE_SIZE >> len(g.WIDTHS), list(g.WIDTHS)
    images = tf.keras.Input((g.IMAGE_SIZE, g.IMAGE_SIZE, g.CHANNELS))
    x = images
    for width in widths:
        x = layers.Conv2D(width, 4, 2, padding="same", activation="silu", dtype=dtype)(x)
    code = layers.Dense(2 * g.LATENT_DIM, dtype="float32")(layers.Flatten(dtype=dtype)(x))
    encoder = tf.keras.Model(images, code)
    z = tf.keras.Input((g.LATENT_DIM,))
    h = layers.Dense(widths[-1] * cells * cells, activation="silu", dtype=dtype)(z)
    h = layers.Reshape((cells, cells, widths[-1]), dtype=dtype)(h)
    for width in [*widths[::-1][1:], widths[0]]:
        h = layers.Conv2DTranspose(width, 4, 2, padding="same", activation="silu", dtype=dtype)(h)
    logits = layers.Conv2D(g.CHANNELS, 3, padding="same", dtype="float32")(h)
    return encoder, tf.keras.Model(z, logits)


def main() -> None:
    args = parse_args(
        **{"--xla": {"action": argparse.BooleanOptionalAction, "default": False}},
        batch_size=g.BATCH_SIZE, num_samples=g.NUM_SAMPLES,
    )  # fmt: skip
    tf.keras.utils.set_random_seed(args.seed)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    x, vx, baseline = g.load(args.num_samples, args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices(x)
        .cache()
        .shuffle(len(x), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = tf.data.Dataset.from_tensor_slices(vx).batch(args.batch_size)
    encoder, decoder = build("mixed_bfloat16" if gpu else "float32")
    variables = encoder.trainable_variables + decoder.trainable_variables
    steps = len(x) // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(g.LR, decay_steps=steps)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4, global_clipnorm=1.0)
    optimizer.build(variables)

    def terms(images, training: bool):
        mean, log_var = tf.split(encoder(images, training=training), 2, axis=-1)
        z = mean + tf.random.normal(tf.shape(mean)) * tf.exp(0.5 * log_var) if training else mean
        logits = decoder(z, training=training)
        bce = tf.nn.sigmoid_cross_entropy_with_logits(images, logits)
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
        return tf.reduce_sum(bce, axis=[1, 2, 3]), kl

    @tf.function(jit_compile=args.xla)
    def train_step(images):
        with tf.GradientTape() as tape:
            rec, kl = terms(images, True)
            loss = tf.reduce_mean(rec + g.BETA * kl)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    @tf.function(jit_compile=args.xla, reduce_retracing=True)
    def val_sums(images):
        rec, kl = terms(images, False)
        return tf.reduce_sum(rec), tf.reduce_sum(kl)

    clock = StepClock(args.batch_size)
    for images in train:
        train_step(images).numpy()
        clock.step_done()
    sums = [tuple(float(s) for s in val_sums(images)) for images in val]
    rec_mean, kl_mean = (sum(column) / len(vx) for column in zip(*sums, strict=True))
    emit(clock.report(
        val_reconstruction=round(rec_mean, 2), val_kl=round(kl_mean, 2),
        baseline_reconstruction=round(baseline, 2), xla=args.xla,
        device="gpu" if gpu else "cpu",
    ))  # fmt: skip


if __name__ == "__main__":
    main()
