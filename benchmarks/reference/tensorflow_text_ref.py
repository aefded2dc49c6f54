"""Reference: the TensorFlow template's text encoder in a minimal custom loop, TensorFlow's fast way.

Same texts, split and tokenizer (the template's shared `corpus.py` and `tokenizer.py`, see
`_text.py`), same model (token and learned position embeddings with dropout 0.1, 2 pre-norm
blocks of `MultiHeadAttention` with 4 heads over width 64 that never attend to padding, then a
GELU feed-forward of 128, dropout 0.1, a final LayerNormalization, the mean over the real tokens,
a linear head), AdamW lr 1e-3 with cosine decay (to 1 %) and weight decay 1e-4, batch 32 with
the last short batch dropped (the template's fixed training shape), one epoch then the
validation pass. Speed settings: the whole train step in one `tf.function`, cached and
prefetched `tf.data`; no XLA on the CPU (`--xla` turns it on); the mixed_bfloat16 policy on a
GPU only (bfloat16 is emulated on most CPUs and slower).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _text
import tensorflow as tf
from _common import StepClock, emit, parse_args

layers = tf.keras.layers


class Block(layers.Layer):
    def __init__(self, dim=64, heads=4, ff_dim=128, dropout=0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.attention = layers.MultiHeadAttention(heads, dim // heads, dropout=dropout)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.ff1 = layers.Dense(ff_dim, activation="gelu")
        self.ff2 = layers.Dense(dim)
        self.drop = layers.Dropout(dropout)

    def call(self, x, mask, training=False):
        h = self.norm1(x)
        h = self.attention(h, h, attention_mask=mask, training=training)
        x = x + self.drop(h, training=training)
        return x + self.drop(self.ff2(self.ff1(self.norm2(x))), training=training)


class TextEncoder(tf.keras.Model):
    def __init__(self, vocab_size: int, num_classes: int, dim=64, layers_=2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tokens = layers.Embedding(vocab_size, dim)
        self.positions = layers.Embedding(_text.MAX_LENGTH, dim)
        self.drop = layers.Dropout(0.1)
        self.blocks = [Block(dim) for _ in range(layers_)]
        self.norm = layers.LayerNormalization(epsilon=1e-6)
        self.head = layers.Dense(num_classes, dtype="float32")  # float32 logits into the loss

    def call(self, ids, training=False):
        real = tf.not_equal(ids, _text.PAD_ID)
        x = self.tokens(ids) + self.positions(tf.range(tf.shape(ids)[1]))[tf.newaxis]
        x = self.drop(x, training=training)
        mask = real[:, tf.newaxis, :] & tf.ones_like(real)[:, :, tf.newaxis]  # [batch, q, key]
        for block in self.blocks:
            x = block(x, mask, training=training)
        weights = tf.cast(real, x.dtype)[:, :, tf.newaxis]
        total = tf.reduce_sum(self.norm(x) * weights, axis=1)
        return self.head(total / tf.maximum(tf.reduce_sum(weights, axis=1), 1.0))


def main() -> None:
    args = parse_args(
        **{"--xla": {"action": argparse.BooleanOptionalAction, "default": False}}, batch_size=32
    )
    tf.random.set_seed(args.seed)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    if gpu:
        tf.keras.mixed_precision.set_global_policy("mixed_bfloat16")
    vocab_size, num_classes, (x, y), (vx, vy) = _text.load(args.num_samples, args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices((x, y.astype("int32")))
        .cache()
        .shuffle(len(y), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = tf.data.Dataset.from_tensor_slices((vx, vy.astype("int32"))).batch(args.batch_size)
    model = TextEncoder(vocab_size, num_classes)
    model(x[:1])  # builds the variables before the optimizer tracks them
    steps = len(y) // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    optimizer.build(model.trainable_variables)

    @tf.function(jit_compile=args.xla)
    def train_step(ids, labels):
        with tf.GradientTape() as tape:
            logits = model(ids, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    # The last validation batch is shorter: one shape-generic trace serves both sizes.
    signature = (tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32))

    @tf.function(jit_compile=args.xla, input_signature=signature)
    def correct(ids, labels):
        predictions = tf.argmax(model(ids, training=False), axis=-1, output_type=tf.int32)
        return tf.reduce_sum(tf.cast(predictions == labels, tf.int32))

    clock = StepClock(args.batch_size)
    for ids, labels in train:
        train_step(ids, labels).numpy()
        clock.step_done()
    hits = sum(int(correct(ids, labels)) for ids, labels in val)
    device = "gpu" if gpu else "cpu"
    emit(clock.report(val_accuracy=round(hits / len(vy), 4), xla=args.xla, device=device))


if __name__ == "__main__":
    main()
