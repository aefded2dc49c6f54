"""Reference: the TensorFlow template's default CNN, trained the fastest way TensorFlow offers.

Same data generator idea (one 7x7 block pattern per class plus noise), same split (10 % held out),
same model (conv 16, conv 32, dense 64, dropout 0.1; about 106k parameters), AdamW with a cosine
schedule, batch 64. Speed settings: the whole training step (forward, backward and the optimizer
update) in one `tf.function`, compiled with XLA (`jit_compile=True`) on a GPU, and a cached,
prefetched `tf.data` pipeline with a fixed batch shape. On the CPU XLA loses (see main), so the
reference runs without it there and `--xla` measures the XLA variant. Mixed precision stays off
on the CPU, where bfloat16 math is emulated and slower; on a GPU the mixed_bfloat16 policy is used.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from _common import StepClock, emit, parse_args

layers = tf.keras.layers


def synthetic(n: int, seed: int, size: int = 28, classes: int = 10) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    patterns = (rng.uniform(0.0, 1.0, (classes, 7, 7, 1)) > 0.5).astype(np.float32)
    cells = np.arange(size) * 7 // size
    patterns = patterns[:, cells][:, :, cells]
    labels = rng.integers(0, classes, n)
    images = 0.7 * patterns[labels] + 0.3 * rng.uniform(0.0, 1.0, (n, size, size, 1))
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(n * 0.1))
    x, y = images.astype(np.float32), labels.astype(np.int32)
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


def build_model(dtype: str) -> tf.keras.Model:
    inputs = tf.keras.Input((28, 28, 1))
    x = inputs
    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", dtype=dtype)(x)
        x = layers.MaxPooling2D(dtype=dtype)(x)
    x = layers.Flatten(dtype=dtype)(x)
    x = layers.Dense(64, activation="relu", dtype=dtype)(x)
    x = layers.Dropout(0.1, dtype=dtype)(x)
    return tf.keras.Model(inputs, layers.Dense(10, dtype="float32")(x))


def main() -> None:
    # XLA by default on a GPU only: on the CPU, TensorFlow's oneDNN convolutions beat XLA's
    # (measured: ~3x the steady-state throughput, and no 5 s compile). --xla / --no-xla override.
    args = parse_args(**{"--xla": {"action": argparse.BooleanOptionalAction, "default": None}})
    tf.keras.utils.set_random_seed(args.seed)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    xla = gpu if args.xla is None else args.xla
    x, y, x_val, y_val = synthetic(args.num_samples, args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(len(x), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(args.batch_size).prefetch(2)
    model = build_model("mixed_bfloat16" if gpu else "float32")
    steps = len(x) // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    optimizer.build(model.trainable_variables)

    @tf.function(jit_compile=xla)
    def train_step(images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function(jit_compile=xla, reduce_retracing=True)
    def correct(images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        predictions = tf.argmax(model(images, training=False), axis=-1, output_type=tf.int32)
        return tf.reduce_sum(tf.cast(predictions == labels, tf.int32))

    clock = StepClock(args.batch_size)
    for images, labels in train:
        loss = train_step(images, labels)
        loss.numpy()  # the step has finished when its result is on the host
        clock.step_done()
    hits = sum(int(correct(images, labels)) for images, labels in val)
    emit(
        clock.report(
            val_accuracy=round(hits / len(x_val), 4), xla=xla, device="gpu" if gpu else "cpu"
        )
    )


if __name__ == "__main__":
    main()
