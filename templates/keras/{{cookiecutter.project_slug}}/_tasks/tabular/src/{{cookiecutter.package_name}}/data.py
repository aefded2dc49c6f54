"""The table, split into train and validation, as the arrays the model takes.

`table.py` reads the table and fits the preprocessing on the training rows; here the rows become
model inputs: raw numbers (NaN where missing; the model standardises them) and category ids.
Both are NumPy arrays, which every Keras backend consumes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import table
from .table import Preprocessing
from .task_config import DataConfig


@dataclass
class Split:
    x_train: tuple[np.ndarray, ...]  # one array per model input (see `features`)
    y_train: np.ndarray
    x_val: tuple[np.ndarray, ...]
    y_val: np.ndarray
    meta: Preprocessing  # fitted on the training rows
    train_frame: pd.DataFrame
    val_frame: pd.DataFrame


def features(prep: Preprocessing, frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """The model's inputs, in its order: numeric values, then category ids (int32, what every
    backend indexes with); a kind of column the table does not have is no input at all."""
    arrays = (prep.numeric_values(frame), prep.category_ids(frame).astype("int32"))
    return tuple(a for a in arrays if a.shape[1])


def load_split(cfg: DataConfig, seed: int) -> Split:
    """The configured table, its rows split by a seeded shuffle, the preprocessing fitted on the
    training rows only."""
    rows = table.load_split(
        cfg.source,
        target=cfg.target,
        objective=cfg.objective,
        num_samples=cfg.num_samples,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )
    prep, train, val = rows.prep, rows.train, rows.val
    return Split(
        features(prep, train), prep.labels(train), features(prep, val), prep.labels(val), prep,
        train, val,
    )  # fmt: skip
