"""What the training loop asks of the image task: the loss, the metrics an epoch records, and the
spec a checkpoint carries about the data (its class names)."""

from __future__ import annotations

import json

import tensorflow as tf


class Task:
    """Cross-entropy over class logits; accuracy as a sum of correct predictions, so it is exact
    when summed across batches and replicas."""

    sum_names = ("accuracy",)  # per-sample sums, reported as train_<name> and val_<name>

    def __init__(self, class_names: list[str]) -> None:
        self.class_names = class_names
        self.val_metrics = ["val_loss", "val_accuracy"]

    def describe(self) -> str:
        return f"{len(self.class_names)} classes"

    def loss(self, logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """The per-example loss."""
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)

    def sums(self, logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
        return tf.reduce_sum(tf.cast(tf.equal(predictions, labels), tf.float32))[tf.newaxis]

    def rows(self, logits: tf.Tensor, labels: tf.Tensor) -> tuple:
        """Per-example values the validation metrics need whole; accuracy needs none."""
        return ()

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        return {"val_accuracy": sums[0] / max(count, 1.0)}


def spec_to_text(class_names: list[str]) -> str:
    return json.dumps(class_names)


def spec_from_text(text: str) -> list[str]:
    return json.loads(text)


def spec_mismatch(saved: list[str], current: list[str]) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved == current:
        return None
    return f"the data has classes {current}, the run was trained on {saved}"
