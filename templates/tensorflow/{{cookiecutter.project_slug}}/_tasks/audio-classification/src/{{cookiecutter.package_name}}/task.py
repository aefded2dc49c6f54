"""What the training loop asks of the audio task: the loss, the metrics an epoch records, and the
spec a checkpoint carries about the data (its class names)."""

from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

from .scores import EPOCH_METRICS, score


class Task:
    """Cross-entropy over class logits. Macro-F1 needs every held-out prediction at once, so the
    logits travel as rows (gathered across workers) and are scored by `scores.score`."""

    sum_names = ()  # no per-sample training sums beside the loss
    val_metrics = EPOCH_METRICS

    def __init__(self, class_names: list[str]) -> None:
        self.class_names = class_names

    def describe(self) -> str:
        return f"{len(self.class_names)} classes"

    def loss(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """The per-example loss."""
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, outputs)

    def sums(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        return tf.zeros([0])

    def rows(self, outputs: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return outputs, labels

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        logits, labels = rows
        scores = score(logits, labels.astype(np.int64))
        return {f"val_{name}": value for name, value in scores.items()}


def spec_to_text(class_names: list[str]) -> str:
    return json.dumps(class_names)


def spec_from_text(text: str) -> list[str]:
    return json.loads(text)


def spec_mismatch(saved: list[str], current: list[str]) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved == current:
        return None
    return f"the data has classes {current}, the run was trained on {saved}"
