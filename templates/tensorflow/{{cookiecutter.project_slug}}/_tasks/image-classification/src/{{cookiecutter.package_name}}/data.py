"""Input pipelines with tf.data: every source becomes (image float32 HWC in [0, 1], label int32)
samples, decoded in parallel and cached; `batches.py` shuffles, batches and prefetches them."""

from __future__ import annotations

import tensorflow as tf

from .batches import Datasets
from .sources import read_source
from .task_config import DataConfig

__all__ = ["Datasets", "conformer", "load_datasets"]


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines for `cfg.source`; the spec is the class names."""
    samples = read_source(cfg, seed)
    conform = conformer(cfg)
    train = samples.train.map(conform, tf.data.AUTOTUNE)
    val = samples.val.map(conform, tf.data.AUTOTUNE)
    if cfg.cache:
        train, val = train.cache(), val.cache()
    return Datasets(
        samples=train,
        val=val,
        num_train=samples.num_train,
        num_val=samples.num_val,
        spec=samples.class_names,
        batch_size=cfg.batch_size,
        shuffle_buffer=cfg.shuffle_buffer,
        seed=seed,
        source=cfg.source,
        summary={"class_names": samples.class_names},
    )


def conformer(cfg: DataConfig):
    """Map function: any image to (image_size, image_size, channels) float32 in [0, 1]."""
    size = (cfg.image_size, cfg.image_size)

    def conform(image: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        if image.dtype == tf.uint8:
            image = tf.image.convert_image_dtype(image, tf.float32)
        image = tf.cast(image, tf.float32)
        if image.shape.rank == 2:
            image = image[..., tf.newaxis]
        if image.shape[-1] == 3 and cfg.channels == 1:
            image = tf.image.rgb_to_grayscale(image)
        elif image.shape[-1] == 1 and cfg.channels == 3:
            image = tf.image.grayscale_to_rgb(image)
        if image.shape[:2] != size:
            image = tf.image.resize(image, size)
        image = tf.ensure_shape(image, (*size, cfg.channels))
        return image, tf.cast(label, tf.int32)

    return conform
