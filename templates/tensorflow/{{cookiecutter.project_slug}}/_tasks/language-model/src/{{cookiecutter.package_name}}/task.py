"""What the training loop asks of the language model: the next-token cross-entropy (per window,
the mean over its positions: every window holds `context_length` of them, so the mean over windows
is the mean over held-out tokens), the perplexity, and the spec a checkpoint carries about the
data (the trained tokenizer and the context length)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
import tensorflow as tf

from .task_config import METRIC_MODES
from .tokenizer import BPETokenizer


@dataclass(frozen=True)
class LanguageSpec:
    """What a model was fitted to: its tokenizer (as `tokenizer.json` text) and its context, so a
    checkpoint alone turns new prompts into the ids it was trained on."""

    tokenizer_json: str
    context_length: int

    @cached_property
    def tokenizer(self) -> BPETokenizer:
        return BPETokenizer.from_str(self.tokenizer_json)

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.vocab_size


class Task:
    """The per-window losses travel as rows too: the perplexity is the exponential of their mean,
    gathered from every replica."""

    sum_names = ()  # the loss is the only training figure
    val_metrics: ClassVar[list[str]] = [m for m in METRIC_MODES if m.startswith("val_")]

    def __init__(self, spec: LanguageSpec) -> None:
        self.spec = spec

    def describe(self) -> str:
        return f"{self.spec.vocab_size} tokens, windows of {self.spec.context_length}"

    def loss(self, outputs: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
        """Per window: the mean cross-entropy of its next tokens, in float32 whatever the policy."""
        logits = tf.cast(outputs, tf.float32)
        per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        return tf.reduce_mean(per_token, axis=-1)

    def sums(self, outputs: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
        return tf.zeros([0])

    def rows(self, outputs: tf.Tensor, targets: tf.Tensor) -> tuple[tf.Tensor]:
        return (self.loss(outputs, targets),)

    def val_values(self, sums: list[float], rows: tuple, count: float) -> dict[str, float]:
        (losses,) = rows
        mean = float(np.mean(losses, dtype=np.float64)) if len(losses) else math.inf
        return {"val_perplexity": math.exp(min(mean, 700.0))}


def spec_to_text(spec: LanguageSpec) -> str:
    return json.dumps({"tokenizer": spec.tokenizer_json, "context_length": spec.context_length})


def spec_from_text(text: str) -> LanguageSpec:
    saved = json.loads(text)
    return LanguageSpec(saved["tokenizer"], int(saved["context_length"]))


def spec_mismatch(saved: LanguageSpec, current: LanguageSpec) -> str | None:
    """How the data differs from what a checkpoint was trained on, or None."""
    if saved.context_length != current.context_length:
        return (
            f"the run was trained with data.context_length {saved.context_length}, not "
            f"{current.context_length}"
        )
    if json.loads(saved.tokenizer_json) != json.loads(current.tokenizer_json):
        return "these documents give another tokenizer than the run's (other text?)"
    return None
