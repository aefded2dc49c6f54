"""How well a table's outputs score: accuracy and ROC AUC, or RMSE and MAE, and the baselines a
model of the table has to beat. NumPy only, so every framework reports the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .table import Preprocessing, softmax


def epoch_metric_names(objective: str) -> list[str]:
    if objective == "classification":
        return ["val_loss", "val_accuracy", "val_auc"]
    return ["val_loss", "val_rmse", "val_mae"]


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank (what the Mann-Whitney statistic needs)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), np.float64)
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return ranks


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of one class: the chance that a random positive outscores a
    random negative. NaN when the rows hold only one of the two."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = _ranks(scores)[positive].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def score(
    objective: str, outputs: np.ndarray, labels: np.ndarray, prep: Preprocessing
) -> dict[str, float]:
    """Accuracy and ROC AUC (binary, else the macro one-vs-rest mean over the classes present),
    or RMSE and MAE in the target's units."""
    outputs = np.asarray(outputs, np.float64)
    if objective == "regression":
        error = (outputs.reshape(-1) - np.asarray(labels, np.float64)) * prep.target_std
        return {"rmse": float(np.sqrt(np.mean(error**2))), "mae": float(np.mean(np.abs(error)))}
    probabilities = softmax(outputs.reshape(len(outputs), -1))
    labels = np.asarray(labels, np.int64)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    if probabilities.shape[1] == 2:
        auc = roc_auc(probabilities[:, 1], labels == 1)
    else:
        aucs = [roc_auc(probabilities[:, k], labels == k) for k in range(probabilities.shape[1])]
        present = [a for a in aucs if not math.isnan(a)]
        auc = float(np.mean(present)) if present else float("nan")
    return {"accuracy": accuracy, "auc": auc}


def baselines(
    prep: Preprocessing, train_frame: pd.DataFrame, val_frame: pd.DataFrame
) -> dict[str, dict[str, float]]:
    """What the model has to beat on the held-out rows: the majority class or the mean, and
    gradient-boosted trees when scikit-learn is installed (the `baseline` extra); on many tables
    trees are the stronger baseline."""
    train_y, val_y = prep.labels(train_frame), prep.labels(val_frame)
    if prep.objective == "classification":
        counts = np.bincount(train_y, minlength=prep.num_outputs)
        constant = np.log(np.maximum(counts / counts.sum(), 1e-12))
        majority = np.tile(constant, (len(val_y), 1))
        result = {"majority": score(prep.objective, majority, val_y, prep)}
    else:
        mean = np.full(len(val_y), float(train_y.mean()))
        result = {"mean": score(prep.objective, mean, val_y, prep)}
    trees = _gradient_boosting(prep, train_frame, val_frame, train_y)
    if trees is not None:
        result["gradient_boosting"] = score(prep.objective, trees, val_y, prep)
    return result


def _gradient_boosting(
    prep: Preprocessing, train_frame: pd.DataFrame, val_frame: pd.DataFrame, train_y: np.ndarray
) -> np.ndarray | None:
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    except ImportError:
        return None

    def features(frame: pd.DataFrame) -> np.ndarray:
        return np.concatenate([prep.numeric_values(frame), prep.category_ids(frame)], axis=1)

    # The trees read NaN as missing and the vocabulary ids as categories, as the model does
    # (up to their limit of 255 categories; larger vocabularies stay ordinal codes).
    categorical = [False] * len(prep.numeric) + [len(v) < 255 for v in prep.vocabularies]
    options = {"categorical_features": categorical or None, "random_state": 0}
    if prep.objective == "classification":
        if len(np.unique(train_y)) < prep.num_outputs:
            return None  # a class without training rows: the trees would not score it
        model = HistGradientBoostingClassifier(**options).fit(features(train_frame), train_y)
        return np.log(np.maximum(model.predict_proba(features(val_frame)), 1e-12))
    model = HistGradientBoostingRegressor(**options).fit(features(train_frame), train_y)
    return model.predict(features(val_frame))
