"""The images as tf.data: read or drawn and split by `pictures.py`, scaled to float32 [0, 1] and
sliced from memory; `batches.py` shuffles, batches and prefetches them (AUTOTUNE). A sample is
(image, image): the model's input, then the same image as the loss's target (an autoencoder
reconstructs what it is given). Channels last, TensorFlow's native layout."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .batches import Datasets
from .pictures import load_pictures, mean_image_loss, split, to_unit
from .task import ImageSpec
from .task_config import DataConfig

__all__ = ["Datasets", "load_datasets", "load_split"]


def load_split(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """uint8 [N, size, size, channels] training and held-out images: one split per seed."""
    images = load_pictures(cfg.source, cfg.num_samples, cfg.image_size, cfg.channels, seed)
    return split(images, cfg.val_fraction, seed)


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines; the spec is the image shape."""
    train, val = load_split(cfg, seed)

    def samples(images: np.ndarray) -> tf.data.Dataset:
        return tf.data.Dataset.from_tensor_slices(to_unit(images)).map(lambda x: (x, x))

    mean_image = {"reconstruction": mean_image_loss(train, val)}
    summary = {
        "image_shape": [cfg.image_size, cfg.image_size, cfg.channels],
        "num_train_images": len(train),
        "num_val_images": len(val),
        "baselines": {"mean_image": mean_image},
    }
    return Datasets(
        samples=samples(train),
        val=samples(val),
        num_train=len(train),
        num_val=len(val),
        spec=ImageSpec(cfg.image_size, cfg.channels),
        batch_size=cfg.batch_size,
        shuffle_buffer=len(train),  # every image is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
    )
