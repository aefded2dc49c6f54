"""How well a recommender ranks: for each held-out user, every item it has not met in training is
scored, and the top k are compared with the items it went on to meet. NumPy only, so every
framework reports the same numbers, and sums over users, so ranks can add theirs up exactly.

- recall@k: the share of the user's held-out items in its top k, out of at most k (a user with 30
  held-out items is not asked to fit them into 10 places);
- NDCG@k: hits discounted by log2 of their place, over the best order possible;
- loss: the mean over held-out items of the full-catalogue softmax cross-entropy, which the
  in-batch softmax of training estimates.
"""

from __future__ import annotations

import numpy as np

EPOCH_METRICS = ["val_loss", "val_recall", "val_ndcg"]
NUM_SUMS = 4  # loss, recall, NDCG, users


def ranking_sums(scores: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """[loss, recall, NDCG, users] summed over the rows of `scores` [users, items], with
    `targets` as `Interactions.targets` makes them (1 held out, -1 met in training)."""
    scores = np.asarray(scores, np.float64)
    targets = np.asarray(targets)
    relevant = targets == 1
    masked = np.where(targets == -1, -np.inf, scores)
    top = masked.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(masked - top).sum(axis=1))
    counts = relevant.sum(axis=1)
    loss = ((log_norm[:, None] - np.where(relevant, masked, 0.0)) * relevant).sum(axis=1) / counts
    k = min(k, scores.shape[1])
    best = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(relevant, best, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(counts, k) - 1]
    recall = hits.sum(axis=1) / np.minimum(counts, k)
    ndcg = (hits * discounts).sum(axis=1) / ideal
    return np.array([loss.sum(), recall.sum(), ndcg.sum(), len(scores)], np.float64)


def ranking_scores(sums: np.ndarray) -> dict[str, float]:
    loss, recall, ndcg, users = (float(x) for x in sums)
    users = max(users, 1.0)
    return {"loss": loss / users, "recall": recall / users, "ndcg": ndcg / users}


def popularity_baseline(data, k: int, batch: int = 256) -> dict[str, float]:
    """What recommending the most-met training items (minus those the user met) scores on the
    held-out users: the figure a learned model has to beat."""
    counts = data.item_counts().astype(np.float64)
    # log(1 + count), so the baseline's "loss" is that of a softmax over popularity
    scores = np.log1p(counts)
    sums = np.zeros(NUM_SUMS)
    for first in range(0, len(data.val_users), batch):
        rows = np.arange(first, min(first + batch, len(data.val_users)))
        tiled = np.broadcast_to(scores, (len(rows), len(scores)))
        sums += ranking_sums(tiled, data.targets(rows), k)
    result = ranking_scores(sums)
    return {"recall": result["recall"], "ndcg": result["ndcg"]}
