"""How well a classifier scores: accuracy and macro-F1 (every class counts alike, however rare),
and the majority-class baseline. NumPy only, so every framework and task reports the same
numbers."""

from __future__ import annotations

import numpy as np

EPOCH_METRICS = ["val_loss", "val_accuracy", "val_macro_f1"]


def macro_f1(predicted: np.ndarray, labels: np.ndarray, num_classes: int) -> float:
    """The mean F1 over the classes that occur in the labels or the predictions."""
    scores = []
    for k in range(num_classes):
        true_k, pred_k = labels == k, predicted == k
        if not true_k.any() and not pred_k.any():
            continue
        hits = float(np.sum(true_k & pred_k))
        scores.append(2 * hits / (true_k.sum() + pred_k.sum()))
    return float(np.mean(scores)) if scores else float("nan")


def score(logits: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    logits = np.asarray(logits, np.float64)
    labels = np.asarray(labels, np.int64)
    predicted = logits.argmax(axis=-1)
    return {
        "accuracy": float(np.mean(predicted == labels)),
        "macro_f1": macro_f1(predicted, labels, logits.shape[-1]),
    }


def majority_baseline(
    train_labels: np.ndarray, val_labels: np.ndarray, num_classes: int
) -> dict[str, float]:
    """What always answering the commonest training class scores on the held-out examples."""
    majority = int(np.bincount(train_labels, minlength=num_classes).argmax())
    logits = np.zeros((len(val_labels), num_classes))
    logits[:, majority] = 1.0
    return score(logits, val_labels)
