"""The table as tf.data: read and preprocessed with NumPy and pandas (`table.py`), then sliced
from in-memory tensors; `batches.py` shuffles, batches and prefetches them.

The features stay raw (NaN for a missing number, vocabulary ids for categories): the model holds
the standardisation, so a checkpoint or an export takes rows as they come.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import tensorflow as tf

from .batches import Datasets
from .scores import baselines
from .table import Preprocessing, infer_objective, read_table, split_indices
from .task_config import DataConfig

__all__ = ["Datasets", "Split", "features", "load_datasets", "load_split"]


@dataclass
class Split:
    prep: Preprocessing  # fitted on the training rows only
    train: pd.DataFrame
    val: pd.DataFrame


def load_split(cfg: DataConfig, seed: int) -> Split:
    """The table, its seeded train/validation split, and the preprocessing of its training rows."""
    frame = read_table(cfg.source, target=cfg.target, num_samples=cfg.num_samples, seed=seed)
    objective = infer_objective(frame[cfg.target], cfg.objective)
    train_idx, val_idx = split_indices(len(frame), cfg.val_fraction, seed)
    train, val = frame.iloc[train_idx], frame.iloc[val_idx]
    return Split(Preprocessing.fit(train, cfg.target, objective), train, val)


def features(prep: Preprocessing, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model's inputs for `frame`'s rows."""
    return {"numeric": prep.numeric_values(frame), "categorical": prep.category_ids(frame)}


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines; the spec is the fitted preprocessing."""
    split = load_split(cfg, seed)
    prep = split.prep

    def samples(frame: pd.DataFrame) -> tf.data.Dataset:
        # from_tensor_slices embeds the arrays in the graph: fine for tables up to a few hundred
        # MB; larger ones belong in TFRecord or Parquet shards streamed from disk.
        return tf.data.Dataset.from_tensor_slices((features(prep, frame), prep.labels(frame)))

    summary = {"objective": prep.objective, "target": prep.target}
    if prep.objective == "classification":
        summary["class_names"] = prep.classes
    summary["baselines"] = baselines(prep, split.train, split.val)
    return Datasets(
        samples=samples(split.train),
        val=samples(split.val),
        num_train=len(split.train),
        num_val=len(split.val),
        spec=prep,
        batch_size=cfg.batch_size,
        shuffle_buffer=len(split.train),  # the whole table is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
    )
