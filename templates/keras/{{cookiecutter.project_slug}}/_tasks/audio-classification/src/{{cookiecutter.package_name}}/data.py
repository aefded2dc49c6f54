"""The clips, split into train and validation, as the waveform arrays the model takes.

`clips.py` makes or reads the clips and splits them by a seeded shuffle. Every clip has the same
number of samples, so each split is one float32 array and every training step has one shape:
neither XLA nor a data-parallel mesh recompiles. NumPy arrays feed every Keras backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clips import load_clips
from .task_config import DataConfig


@dataclass
class Split:
    x_train: np.ndarray  # float32 waveforms [clips, samples] in [-1, 1], at data.sample_rate
    y_train: np.ndarray  # int32 class indices into meta
    x_val: np.ndarray
    y_val: np.ndarray
    meta: list[str]  # the class names: label i is meta[i]


def load_split(cfg: DataConfig, seed: int) -> Split:
    """The configured clips, split by a seeded shuffle; the classes are the training labels."""
    clips = load_clips(
        cfg.source,
        num_samples=cfg.num_samples,
        sample_rate=cfg.sample_rate,
        clip_seconds=cfg.clip_seconds,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )
    return Split(
        x_train=clips.train_waves,
        y_train=clips.train_labels.astype("int32"),
        x_val=clips.val_waves,
        y_val=clips.val_labels.astype("int32"),
        meta=clips.classes,
    )
