"""The recommendation references' data and loss: the template's own interaction code, from _shared.

`templates/_shared/src/tasks/recommendation/interactions.py` and `ranking.py` are framework-neutral
(NumPy and the standard library), so the references load them as they are: the same seeded
synthetic log, the same per-user split (each user's latest 20 % held out), the same recall@k and
NDCG@k over every held-out user. `--num-samples` counts users here (the log has 10 to 30
interactions per user, about 12 distinct training pairs on average).
"""

from __future__ import annotations

import numpy as np
from _common import shared_module

# The generated projects' `[data]` and `[model]` defaults.
NUM_USERS = 1000
BATCH_SIZE = 128
NUM_ITEMS = 500
EMBEDDING_DIM = 32
TEMPERATURE = 0.2
TOP_K = 10
LR = 0.05


def load(num_users: int, seed: int, val_fraction: float = 0.2):
    """The split `Interactions` and the log of each item's share of the training pairs (float32
    [items]), which the sampling-bias correction subtracts from in-batch logits."""
    data = shared_module("recommendation", "interactions").load_interactions(
        "synthetic", num_users=num_users, num_items=NUM_ITEMS, val_fraction=val_fraction,
        seed=seed,
    )  # fmt: skip
    return data, data.catalog.log_item_shares()


def ranking(data, score_users, batch_size: int) -> dict[str, float]:
    """recall@k and NDCG@k over every held-out user; `score_users(rows)` returns NumPy scores
    [len(rows), items] for the users `data.val_users[rows]`."""
    module = shared_module("recommendation", "ranking")
    sums = np.zeros(module.NUM_SUMS)
    for first in range(0, len(data.val_users), batch_size):
        rows = np.arange(first, min(first + batch_size, len(data.val_users)))
        sums += module.ranking_sums(score_users(rows), data.targets(rows), TOP_K)
    result = module.ranking_scores(sums)
    return {"val_recall": round(result["recall"], 4), "val_ndcg": round(result["ndcg"], 4)}
