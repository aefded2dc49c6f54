"""Reference: the TensorFlow template's audio classifier in a minimal custom loop, TensorFlow's way.

Same clips and split (the template's shared `clips.py`, see `_audio.py`), same model (a log-mel
front end inside the model: `tf.signal.stft` with a Hann window of 512, hop 160, padded at the
end; power on the shared 40-band mel filterbank; log; each clip standardised over its bins; then
conv-GroupNorm(8)-ReLU blocks of 16/32/64 with max pooling between them, an average over time
(the mel axis kept), dropout 0.1, a linear head), AdamW lr 1e-3 with cosine decay (to 1 %) and
weight decay 1e-4, batch 32 with the last short batch dropped, one epoch then the validation
pass. Speed settings: the whole train step in one `tf.function`, cached and prefetched
`tf.data`; no XLA on the CPU (`--xla` turns it on); the mixed_bfloat16 policy on a GPU only.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _audio
import tensorflow as tf
from _common import StepClock, emit, parse_args

layers = tf.keras.layers


class LogMel(layers.Layer):
    def __init__(self, **kwargs) -> None:
        super().__init__(dtype="float32", **kwargs)
        self.bank = tf.constant(_audio.mel_bank())

    def call(self, waves):
        spectrum = tf.signal.stft(
            tf.cast(waves, tf.float32), _audio.N_FFT, _audio.HOP_LENGTH, _audio.N_FFT,
            window_fn=tf.signal.hann_window, pad_end=True,
        )  # fmt: skip
        logmel = tf.math.log(tf.matmul(tf.square(tf.abs(spectrum)), self.bank) + 1e-6)
        mean, variance = tf.nn.moments(logmel, axes=[1, 2], keepdims=True)
        return ((logmel - mean) / (tf.sqrt(variance) + 1e-5))[..., tf.newaxis]


class MeanOverTime(layers.Layer):
    def call(self, x):
        return tf.reduce_mean(x, axis=1)


def build_model(num_classes: int, dtype: str) -> tf.keras.Model:
    waves = tf.keras.Input((round(_audio.SAMPLE_RATE * _audio.CLIP_SECONDS),))
    x = LogMel()(waves)
    for i, width in enumerate(_audio.WIDTHS):
        if i:
            x = layers.MaxPooling2D(dtype=dtype)(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, dtype=dtype)(x)
        x = layers.ReLU(dtype=dtype)(layers.GroupNormalization(groups=8, dtype=dtype)(x))
    x = layers.Flatten(dtype=dtype)(MeanOverTime(dtype=dtype)(x))
    x = layers.Dropout(0.1, dtype=dtype)(x)
    return tf.keras.Model(waves, layers.Dense(num_classes, dtype="float32")(x))


def main() -> None:
    args = parse_args(
        **{"--xla": {"action": argparse.BooleanOptionalAction, "default": False}}, batch_size=32
    )
    tf.keras.utils.set_random_seed(args.seed)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    num_classes, (x, y), (vx, vy) = _audio.load(args.num_samples, args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices((x, y.astype("int32")))
        .cache()
        .shuffle(len(y), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = tf.data.Dataset.from_tensor_slices((vx, vy.astype("int32"))).batch(args.batch_size)
    model = build_model(num_classes, "mixed_bfloat16" if gpu else "float32")
    steps = len(y) // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    optimizer.build(model.trainable_variables)

    @tf.function(jit_compile=args.xla)
    def train_step(waves, labels):
        with tf.GradientTape() as tape:
            logits = model(waves, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function(jit_compile=args.xla, reduce_retracing=True)
    def correct(waves, labels):
        predictions = tf.argmax(model(waves, training=False), axis=-1, output_type=tf.int32)
        return tf.reduce_sum(tf.cast(predictions == labels, tf.int32))

    clock = StepClock(args.batch_size)
    for waves, labels in train:
        train_step(waves, labels).numpy()
        clock.step_done()
    hits = sum(int(correct(waves, labels)) for waves, labels in val)
    device = "gpu" if gpu else "cpu"
    emit(clock.report(val_accuracy=round(hits / len(vy), 4), xla=args.xla, device=device))


if __name__ == "__main__":
    main()
