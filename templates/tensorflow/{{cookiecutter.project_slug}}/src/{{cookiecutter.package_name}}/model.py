"""The model, a small CNN built from Keras layers, and its optimizer.

Layers are the convenient part of Keras and carry the mixed-precision policy; everything around
them (the loop, gradients, distribution, checkpoints, export) is plain TensorFlow, so the model is
only ever called as a function: `logits = model(images, training=...)`.
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config, TrainerConfig

layers = tf.keras.layers


def build_model(
    config: Config, num_classes: int, dtype_policy: str | None = None
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
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return tf.keras.Model(inputs, logits, name="cnn")


def build_optimizer(t: TrainerConfig, steps_per_epoch: int, policy: str | None):
    """AdamW, with a cosine decay over the whole run unless `trainer.lr_schedule = "constant"`."""
    lr: float | tf.keras.optimizers.schedules.LearningRateSchedule = t.lr
    if t.lr_schedule == "cosine":
        # The schedule is a function of optimizer.iterations, which the checkpoint restores.
        total = max(1, t.epochs * steps_per_epoch)
        lr = tf.keras.optimizers.schedules.CosineDecay(t.lr, decay_steps=total, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(lr, weight_decay=t.weight_decay)
    if policy == "mixed_float16":
        # float16 gradients underflow without a loss scale; bfloat16 has float32's range.
        optimizer = tf.keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def dropout_rng_states(model: tf.keras.Model) -> list[tf.Variable]:
    """The state variables of the model's Keras seed generators (the dropout masks' RNG).

    tf.train.Checkpoint does not reach them through the model, so they are checkpointed
    explicitly: without them a resumed run would draw different dropout masks.
    """
    return [v.value for v in model.non_trainable_variables if "seed_generator" in v.path]
