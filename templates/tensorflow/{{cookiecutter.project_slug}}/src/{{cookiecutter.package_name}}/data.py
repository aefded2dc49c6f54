"""Input pipelines with tf.data: synthetic data, image folders, .npz and TFRecord files.

Every source becomes a dataset of (image float32 HWC in [0, 1], label int32) that is split
deterministically from the seed, then decoded in parallel, cached, shuffled, batched and
prefetched. Under multi-worker training each worker builds the same pipeline and keeps its
share of every batch (auto-shard policy DATA), so the order must not depend on the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import DataConfig
from .config_io import ConfigError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}
TFRECORD_SUFFIXES = {".tfrecord", ".tfrecords"}
# One tf.train.Example per image; write your records with exactly these features.
TFRECORD_FEATURES = {
    "image": tf.io.FixedLenFeature([], tf.string),  # encoded PNG, JPEG, BMP or GIF bytes
    "label": tf.io.FixedLenFeature([], tf.int64),  # class index in [0, num_classes)
}


@dataclass
class Datasets:
    train: tf.data.Dataset  # batched with the global batch size, remainder dropped
    val: tf.data.Dataset  # batched, remainder kept
    num_train: int
    num_val: int


def make_synthetic(
    num_samples: int, image_size: int, channels: int, num_classes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A learnable set made in memory: one fixed 7x7 on/off block pattern per class, plus noise."""
    rng = np.random.default_rng(seed)
    patterns = (rng.uniform(0.0, 1.0, (num_classes, 7, 7, channels)) > 0.5).astype(np.float32)
    cells = np.arange(image_size) * 7 // image_size
    patterns = patterns[:, cells][:, :, cells]
    labels = rng.integers(0, num_classes, num_samples)
    noise = rng.uniform(0.0, 1.0, (num_samples, image_size, image_size, channels))
    images = 0.7 * patterns[labels] + 0.3 * noise
    return images.astype(np.float32), labels.astype(np.int32)


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines for `cfg.source`."""
    if not 0.0 < cfg.val_fraction < 1.0:
        raise ConfigError(f"data.val_fraction must be in (0, 1), not {cfg.val_fraction}")
    if cfg.source == "synthetic":
        x, y = make_synthetic(cfg.num_samples, cfg.image_size, cfg.channels, cfg.num_classes, seed)
        train, val = _split_arrays(x, y, cfg.val_fraction, seed)
    else:
        path = Path(cfg.source)
        if path.suffix == ".npz":
            train, val = _split_arrays(*_read_npz(path), cfg.val_fraction, seed)
        elif _tfrecord_files(path):
            train, val = _tfrecords(_tfrecord_files(path), cfg.val_fraction, seed)
        elif path.is_dir():
            train, val = _image_folder(path, cfg.num_classes, cfg.val_fraction, seed)
        else:
            raise FileNotFoundError(
                f"data.source {cfg.source!r} is not 'synthetic', an .npz or .tfrecord file, "
                "or a folder of class sub-folders or of .tfrecord files"
            )
    num_train, num_val = _count(train), _count(val)
    if num_train < cfg.batch_size:
        raise ConfigError(
            f"{num_train} training samples is fewer than one batch ({cfg.batch_size})"
        )
    conform = _conformer(cfg)
    return Datasets(
        train=_pipeline(train.map(conform, tf.data.AUTOTUNE), cfg, training=True, seed=seed),
        val=_pipeline(val.map(conform, tf.data.AUTOTUNE), cfg, training=False, seed=seed),
        num_train=num_train,
        num_val=num_val,
    )


def _pipeline(
    ds: tf.data.Dataset, cfg: DataConfig, *, training: bool, seed: int
) -> tf.data.Dataset:
    if cfg.cache:
        ds = ds.cache()
    if training:
        ds = ds.shuffle(cfg.shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    # A fixed training batch keeps shapes static (one trace, XLA-friendly) and the loss scaling
    # exact; evaluation keeps every sample and sums, so a short last batch is fine.
    ds = ds.batch(cfg.batch_size, drop_remainder=training)
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


def _count(ds: tf.data.Dataset) -> int:
    n = int(ds.cardinality())
    if n >= 0:
        return n
    return int(ds.reduce(np.int64(0), lambda count, _: count + 1))  # one pass over the records


def _split_indices(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    num_val = max(1, round(n * val_fraction))
    return order[num_val:], order[:num_val]


def _split_arrays(
    x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    # from_tensor_slices embeds the arrays in the graph: fine up to a few hundred MB. For more,
    # write TFRecords and let tf.data stream them.
    train_idx, val_idx = _split_indices(len(x), val_fraction, seed)
    return (
        tf.data.Dataset.from_tensor_slices((x[train_idx], y[train_idx])),
        tf.data.Dataset.from_tensor_slices((x[val_idx], y[val_idx])),
    )


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path) as arrays:
        x, y = arrays["x"], arrays["y"].astype(np.int32)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / 255.0
    return x.astype(np.float32), y


def _decode(encoded: tf.Tensor, channels: int = 0) -> tf.Tensor:
    image = tf.io.decode_image(encoded, channels=channels, expand_animations=False)
    return tf.image.convert_image_dtype(image, tf.float32)


def _image_folder(
    root: Path, num_classes: int, val_fraction: float, seed: int
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if len(classes) != num_classes:
        raise ConfigError(
            f"{root} has {len(classes)} class folders but data.num_classes is {num_classes}"
        )
    files, labels = [], []
    for label, name in enumerate(classes):
        for file in sorted((root / name).iterdir()):
            if file.suffix.lower() in IMAGE_SUFFIXES:
                files.append(str(file))
                labels.append(label)
    paths, targets = np.array(files), np.array(labels, np.int32)
    train_idx, val_idx = _split_indices(len(paths), val_fraction, seed)

    def read(path: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        # decode with 3 channels so that grayscale and colour files batch together.
        return _decode(tf.io.read_file(path), channels=3), label

    return (
        tf.data.Dataset.from_tensor_slices((paths[train_idx], targets[train_idx])).map(
            read, tf.data.AUTOTUNE
        ),
        tf.data.Dataset.from_tensor_slices((paths[val_idx], targets[val_idx])).map(
            read, tf.data.AUTOTUNE
        ),
    )


def _tfrecord_files(path: Path) -> list[str]:
    if path.is_file() and path.suffix in TFRECORD_SUFFIXES:
        return [str(path)]
    if path.is_dir():
        return sorted(str(p) for p in path.iterdir() if p.suffix in TFRECORD_SUFFIXES)
    return []


def _tfrecords(
    files: list[str], val_fraction: float, seed: int
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    # Records stream, so the split is a seeded coin flip per record index: stable across runs
    # and processes without knowing the record count.
    records = tf.data.TFRecordDataset(files).enumerate()

    def is_val(index: tf.Tensor, _: tf.Tensor) -> tf.Tensor:
        draw = tf.random.stateless_uniform([], seed=tf.stack([tf.constant(seed, tf.int64), index]))
        return draw < val_fraction

    def parse(_: tf.Tensor, record: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        example = tf.io.parse_single_example(record, TFRECORD_FEATURES)
        return _decode(example["image"], channels=3), example["label"]

    train = records.filter(lambda i, r: tf.logical_not(is_val(i, r)))
    return train.map(parse, tf.data.AUTOTUNE), records.filter(is_val).map(parse, tf.data.AUTOTUNE)


def write_tfrecord(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Write uint8 images (N, H, W, C) and labels as PNG-encoded examples in the format above."""
    with tf.io.TFRecordWriter(str(path)) as writer:
        for image, label in zip(images, labels, strict=True):
            feature = {
                "image": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[tf.io.encode_png(image).numpy()])
                ),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(label)])),
            }
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writer.write(example.SerializeToString())
