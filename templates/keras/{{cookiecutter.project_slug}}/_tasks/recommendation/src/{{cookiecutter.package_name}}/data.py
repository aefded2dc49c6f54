"""The interactions as the arrays `fit` and scoring read.

A training sample is a (user, item) pair: the model's two inputs, with the item again as the
loss's label (each pair's own item is its positive, the batch's other items its negatives). A
validation sample is a held-out user, with its targets over the whole catalogue (1 held out, -1
met in training, 0 any other item) as the label. NumPy arrays feed every Keras backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .interactions import Interactions, load_interactions
from .task_config import DataConfig


@dataclass
class Split:
    x_train: tuple[np.ndarray, np.ndarray]  # int64 (users, items), one training pair per row
    y_train: np.ndarray  # int64 items: each pair's positive
    x_val: np.ndarray  # int64 held-out users
    y_val: np.ndarray  # int8 [users, items]: Interactions.targets of every held-out user
    meta: Any  # task.Meta: the catalogue, the k of the scores and the loss's item shares
    data: Interactions


def load_data(cfg: DataConfig, seed: int) -> Interactions:
    return load_interactions(
        cfg.source,
        num_users=cfg.num_users,
        num_items=cfg.num_items,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def make_split(data: Interactions, meta: Any) -> Split:
    return Split(
        x_train=(data.train_users, data.train_items),
        y_train=data.train_items,
        x_val=data.val_users,
        y_val=data.targets(np.arange(len(data.val_users))),
        meta=meta,
        data=data,
    )
