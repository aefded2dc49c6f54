"""Reference: the TensorFlow template's language model in a minimal custom loop, TensorFlow's way.

Same text, tokenizer and windows (the template's shared `corpus.py` and `tokenizer.py`, see
`_language.py`), same model (token embeddings plus learned positions, 2 pre-norm blocks of
`MultiHeadAttention` with 4 heads under its causal mask and a GELU MLP of 512, a final
LayerNormalization, scores against the token embedding itself), the same loss (next-token sparse
cross-entropy from logits over every position, in float32), AdamW at the template's rate (1e-3)
with cosine decay and weight decay 1e-4, batch 32 with the last short batch dropped, one epoch then
the validation pass. Speed settings: the whole train step in one `tf.function`, cached and
prefetched `tf.data`; no XLA on the CPU (`--xla` turns it on); mixed_bfloat16 on a GPU only.
"""

from __future__ import annotations

import argparse
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _language as lang
import tensorflow as tf
from _common import StepClock, emit, parse_args

layers = tf.keras.layers
LR = 1e-3  # the TensorFlow template's trainer.lr


class LanguageModel(tf.keras.Model):
    def __init__(self, vocab: int, dtype: str) -> None:
        super().__init__()
        normal = tf.keras.initializers.RandomNormal(stddev=0.02)
        self.tokens = layers.Embedding(vocab, lang.DIM, embeddings_initializer=normal, dtype=dtype)
        self.positions = self.add_weight(shape=(lang.CONTEXT, lang.DIM), initializer=normal)
        self.blocks = [
            (layers.LayerNormalization(epsilon=1e-5, dtype=dtype),
             layers.MultiHeadAttention(lang.HEADS, lang.DIM // lang.HEADS, dtype=dtype),
             layers.LayerNormalization(epsilon=1e-5, dtype=dtype),
             layers.Dense(lang.FF_DIM, activation="gelu", dtype=dtype),
             layers.Dense(lang.DIM, dtype=dtype))
            for _ in range(lang.LAYERS)
        ]  # fmt: skip
        self.norm = layers.LayerNormalization(epsilon=1e-5, dtype=dtype)

    def call(self, ids):
        x = self.tokens(ids)
        x = x + tf.cast(self.positions[: tf.shape(ids)[1]], x.dtype)
        for norm1, attention, norm2, up, down in self.blocks:
            h = norm1(x)
            x = x + attention(h, h, use_causal_mask=True)
            x = x + down(up(norm2(x)))
        table = tf.cast(self.tokens.embeddings, tf.float32)
        return tf.matmul(tf.cast(self.norm(x), tf.float32), table, transpose_b=True)


def main() -> None:
    args = parse_args(
        **{"--xla": {"action": argparse.BooleanOptionalAction, "default": False}},
        batch_size=lang.BATCH_SIZE, num_samples=lang.NUM_DOCUMENTS,
    )  # fmt: skip
    tf.keras.utils.set_random_seed(args.seed)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    train, val, vocab, baseline = lang.load(args.num_samples, args.seed)
    pairs = (train[:, :-1].astype("int32"), train[:, 1:].astype("int32"))
    batches = (
        tf.data.Dataset.from_tensor_slices(pairs)
        .cache()
        .shuffle(len(train), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    held_out = (val[:, :-1].astype("int32"), val[:, 1:].astype("int32"))
    val_batches = tf.data.Dataset.from_tensor_slices(held_out).batch(args.batch_size)
    model = LanguageModel(vocab, "mixed_bfloat16" if gpu else "float32")
    model(pairs[0][:1])
    steps = len(train) // args.batch_size
    schedule = tf.keras.optimizers.schedules.CosineDecay(LR, decay_steps=steps)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    optimizer.build(model.trainable_variables)

    def losses(ids, targets, training: bool):
        logits = model(ids, training=training)
        per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        return tf.reduce_mean(per_token, axis=-1)

    @tf.function(jit_compile=args.xla)
    def train_step(ids, targets):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(losses(ids, targets, True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function(jit_compile=args.xla, reduce_retracing=True)
    def val_sum(ids, targets):
        return tf.reduce_sum(losses(ids, targets, False))

    clock = StepClock(args.batch_size)
    for ids, targets in batches:
        train_step(ids, targets).numpy()
        clock.step_done()
    val_loss = sum(float(val_sum(ids, targets)) for ids, targets in val_batches) / len(val)
    emit(clock.report(
        val_loss=round(val_loss, 4), val_perplexity=round(math.exp(val_loss), 3),
        baseline_perplexity=round(baseline, 3), xla=args.xla, device="gpu" if gpu else "cpu",
    ))  # fmt: skip


if __name__ == "__main__":
    main()
