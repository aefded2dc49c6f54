"""The optimizer: AdamW with an optional cosine decay, loss-scaled under float16."""

from __future__ import annotations

import tensorflow as tf

from .config import TrainerConfig


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
