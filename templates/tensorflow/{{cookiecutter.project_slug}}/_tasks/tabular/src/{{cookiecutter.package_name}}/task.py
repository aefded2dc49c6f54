"""What the training loop asks of the tabular task: the loss, the metrics an epoch records, and
the spec a checkpoint carries about the data (the fitted preprocessing)."""

from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

from .scores import epoch_metric_names, score
from .table import Preprocessing


class Task:
    """Cross-entropy over class logits, or squared error on the standardised target. The metrics
    (AUC, RMSE in the target's units) need every validation prediction at once, so they travel as
    rows and are scored by `scores.score`, as the baselines are."""

    sum_names = ()  # no per-sample training sums beside the loss

    def __init__(self, prep: Preprocessing) -> None:
        self.prep = prep
        self.val_metrics = epoch_metric_names(prep.objective)
        self.regression = prep.objective == "regression"

    def describe(self) -> str:
        p = self.prep
        what = "regression" if self.regression else f"{len(p.classes)} classes"
        return f"{p.target!r}: {what}, {len(p.numeric)} numeric + {len(p.categorical)} categorical"

    def loss(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """The per-example loss."""
        if self.regression:
            return tf.square(outputs - labels)
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, outputs)

    def sums(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        return tf.zeros([0])

    def rows(self, outputs: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return outputs, tf.cast(labels, tf.float32)

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        outputs, labels = rows
        labels = labels.astype(np.float32 if self.regression else np.int64)
        scores = score(self.prep.objective, outputs, labels, self.prep)
        return {f"val_{name}": value for name, value in scores.items()}


def spec_to_text(prep: Preprocessing) -> str:
    return json.dumps(prep.to_dict())


def spec_from_text(text: str) -> Preprocessing:
    return Preprocessing.from_dict(json.loads(text))


def spec_mismatch(saved: Preprocessing, current: Preprocessing) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved == current:
        return None
    for name in ("target", "objective", "numeric", "categorical", "classes", "vocabularies"):
        if getattr(saved, name) != getattr(current, name):
            return f"the data's {name} differ from the training rows' the run saw"
    return "the data's training rows differ from the ones the run was trained on"
