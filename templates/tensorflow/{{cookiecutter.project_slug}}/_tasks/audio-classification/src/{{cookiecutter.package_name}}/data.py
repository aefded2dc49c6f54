"""The clips as tf.data: read, resampled, cut to one length and split by `clips.py`, then sliced
from in-memory waveform tensors; `batches.py` shuffles, batches and prefetches them (AUTOTUNE).
Every clip has the same number of samples, so every training batch has one static shape and the
compiled step traces once."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .batches import Datasets
from .clips import Clips, load_clips
from .scores import majority_baseline
from .task_config import DataConfig

__all__ = ["Datasets", "load_datasets", "load_split"]


def load_split(cfg: DataConfig, seed: int) -> Clips:
    """The configured clips and their seeded train/held-out split (the same on every rank)."""
    return load_clips(
        cfg.source,
        num_samples=cfg.num_samples,
        sample_rate=cfg.sample_rate,
        clip_seconds=cfg.clip_seconds,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines; the spec is the class names."""
    clips = load_split(cfg, seed)

    def samples(waves: np.ndarray, labels: np.ndarray) -> tf.data.Dataset:
        # from_tensor_slices embeds the waveforms in the graph: fine up to a few hundred MB of
        # clips (an hour of 16 kHz audio is 230 MB); more belongs in TFRecord shards on disk.
        return tf.data.Dataset.from_tensor_slices((waves, labels))

    majority = majority_baseline(clips.train_labels, clips.val_labels, len(clips.classes))
    summary = {
        "class_names": clips.classes,
        "num_classes": len(clips.classes),
        "baselines": {"majority": majority},
    }
    return Datasets(
        samples=samples(clips.train_waves, clips.train_labels),
        val=samples(clips.val_waves, clips.val_labels),
        num_train=len(clips.train_labels),
        num_val=len(clips.val_labels),
        spec=clips.classes,
        batch_size=cfg.batch_size,
        shuffle_buffer=len(clips.train_labels),  # every clip is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
    )
