"""What the training loop asks of the text task: the loss, the metrics an epoch records, and
the spec a checkpoint carries about the data (the classes and the trained tokenizer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import tensorflow as tf

from .scores import EPOCH_METRICS, score
from .tokenizer import TextTokenizer


@dataclass(frozen=True)
class TextSpec:
    """What a model was fitted to: its class names and its tokenizer (as `tokenizer.json` text),
    so a checkpoint alone turns new texts into the ids it was trained on."""

    classes: list[str]
    tokenizer_json: str

    @cached_property
    def tokenizer(self) -> TextTokenizer:
        return TextTokenizer.from_str(self.tokenizer_json)

    @property
    def num_classes(self) -> int:
        return len(self.classes)


class Task:
    """Cross-entropy over class logits. Macro-F1 needs every held-out prediction at once, so the
    logits travel as rows (gathered across workers) and are scored by `scores.score`."""

    sum_names = ()  # no per-sample training sums beside the loss
    val_metrics = EPOCH_METRICS

    def __init__(self, spec: TextSpec) -> None:
        self.spec = spec

    def describe(self) -> str:
        return f"{self.spec.num_classes} classes, {self.spec.tokenizer.vocab_size} word pieces"

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


def spec_to_text(spec: TextSpec) -> str:
    return json.dumps({"classes": spec.classes, "tokenizer": spec.tokenizer_json})


def spec_from_text(text: str) -> TextSpec:
    saved = json.loads(text)
    return TextSpec(classes=list(saved["classes"]), tokenizer_json=saved["tokenizer"])


def spec_mismatch(saved: TextSpec, current: TextSpec) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved.classes != current.classes:
        return f"the data's classes {current.classes} differ from the run's {saved.classes}"
    if json.loads(saved.tokenizer_json) != json.loads(current.tokenizer_json):
        return "the tokenizer these training texts give differs from the run's (other texts?)"
    return None
