"""Input pipelines with tf.data: every source becomes batches of (image float32 HWC in [0, 1],
label int32), decoded in parallel, cached, shuffled, batched and prefetched.

The training order is a pure function of the seed and the epoch: epoch `e` is shuffled with a seed
made of (`trainer.seed`, `e`) alone, never from how many epochs this process has already iterated.
A run resumed at epoch 3, step 10 therefore builds epoch 3's batches and skips 10 of them, and
sees exactly the batches an unbroken run sees. Under multi-worker training each worker builds
the same stream and keeps its share of every batch (auto-shard policy DATA), so the order must not
depend on the process either.
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from .config import DataConfig
from .errors import ConfigError
from .seeding import epoch_seed
from .sources import read_source

__all__ = ["Datasets", "load_datasets"]


@dataclass
class Datasets:
    samples: tf.data.Dataset  # training samples, conformed and cached, not yet shuffled
    val: tf.data.Dataset  # batched, remainder kept
    num_train: int
    num_val: int
    class_names: list[str]
    cfg: DataConfig
    seed: int

    @property
    def steps_per_epoch(self) -> int:
        # A fixed training batch keeps shapes static (one trace, XLA-friendly) and the loss
        # scaling exact, so the last partial batch of an epoch is dropped.
        return self.num_train // self.cfg.batch_size

    def train_batches(self, epoch: int, skip: int = 0) -> tf.data.Dataset:
        """The batches of `epoch` (1-based), less its first `skip`."""
        shuffled = self.samples.shuffle(
            self.cfg.shuffle_buffer,
            seed=epoch_seed(self.seed, epoch),
            reshuffle_each_iteration=False,
        )
        return _finish(shuffled.batch(self.cfg.batch_size, drop_remainder=True).skip(skip))


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines for `cfg.source`."""
    samples = read_source(cfg, seed)
    if samples.num_train < cfg.batch_size:
        raise ConfigError(
            f"data.batch_size = {cfg.batch_size} is more than the {samples.num_train} training "
            f"samples of {cfg.source!r}; lower it (or add data)"
        )
    conform = _conformer(cfg)
    train = samples.train.map(conform, tf.data.AUTOTUNE)
    val = samples.val.map(conform, tf.data.AUTOTUNE)
    if cfg.cache:
        train, val = train.cache(), val.cache()
    return Datasets(
        samples=train,
        val=_finish(val.batch(cfg.batch_size)),
        num_train=samples.num_train,
        num_val=samples.num_val,
        class_names=samples.class_names,
        cfg=cfg,
        seed=seed,
    )


def _finish(ds: tf.data.Dataset) -> tf.data.Dataset:
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def _conformer(cfg: DataConfig):
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
