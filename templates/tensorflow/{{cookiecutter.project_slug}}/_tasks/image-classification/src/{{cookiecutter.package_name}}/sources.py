"""Where samples come from: synthetic data, image folders, .npz and TFRecord files.

Each reader returns the train and validation samples as unbatched (image, label) datasets, split
deterministically from the seed, with the class names the data carries (the sub-folder names, a
`class_names` array in an .npz) or, where it carries none, the label numbers. Labels are checked
against `data.num_classes` here, before training, rather than failing inside the loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from .errors import ConfigError
from .task_config import SYNTHETIC_CLASSES, DataConfig

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}
TFRECORD_SUFFIXES = {".tfrecord", ".tfrecords"}
# One tf.train.Example per image; write your records with exactly these features.
TFRECORD_FEATURES = {
    "image": tf.io.FixedLenFeature([], tf.string),  # encoded PNG, JPEG, BMP or GIF bytes
    "label": tf.io.FixedLenFeature([], tf.int64),  # class index in [0, num_classes)
}


@dataclass
class Samples:
    train: tf.data.Dataset
    val: tf.data.Dataset
    num_train: int
    num_val: int
    class_names: list[str]


def read_source(cfg: DataConfig, seed: int) -> Samples:
    """The samples of `cfg.source`, split into train and validation."""
    if cfg.source == "synthetic":
        num_classes = cfg.num_classes or SYNTHETIC_CLASSES
        x, y = make_synthetic(cfg.num_samples, cfg.image_size, cfg.channels, num_classes, seed)
        return _split_arrays(x, y, [f"class_{i}" for i in range(num_classes)], cfg, seed)
    path = Path(cfg.source)
    if not path.exists():
        raise ConfigError(
            f"data.source {cfg.source!r}: no such file or folder (use 'synthetic', a folder of "
            "class sub-folders, an .npz file or .tfrecord files)"
        )
    if path.suffix == ".npz":
        x, y, names = _read_npz(path)
        return _split_arrays(x, y, class_names(y, names, cfg.num_classes, path), cfg, seed)
    if records := _tfrecord_files(path):
        return _tfrecords(records, cfg, seed)
    if path.is_dir() and any(p.is_dir() for p in path.iterdir()):
        return _image_folder(path, cfg, seed)
    raise ConfigError(
        f"data.source {cfg.source!r} is not an .npz or .tfrecord file, nor a folder of class "
        "sub-folders or of .tfrecord files"
    )


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


def class_names(
    labels: np.ndarray, names: list[str] | None, num_classes: int, where: Path
) -> list[str]:
    """The classes of integer `labels`: `names` if the data has them, else "0", "1", ...

    Refuses labels outside [0, num_classes) (when it is set) or outside the given names.
    """
    if labels.size == 0:
        raise ConfigError(f"{where} holds no samples")
    low, high = int(labels.min()), int(labels.max())
    count = num_classes or (len(names) if names else high + 1)
    if names and num_classes and len(names) != num_classes:
        raise ConfigError(
            f"{where} names {len(names)} classes but data.num_classes is {num_classes}; "
            "set data.num_classes = 0 to take the classes from the data"
        )
    if low < 0 or high >= count:
        bad = low if low < 0 else high
        raise ConfigError(
            f"{where} has label {bad}, outside 0..{count - 1} (data.num_classes = {num_classes}"
            f"{', from the data' if not num_classes else ''}); labels must be class indices"
        )
    if count < 2:
        raise ConfigError(f"{where} has only one class; a classifier needs at least 2")
    return names or [str(i) for i in range(count)]


def split_indices(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    num_val = max(1, round(n * val_fraction))
    return order[num_val:], order[:num_val]


def _split_arrays(
    x: np.ndarray, y: np.ndarray, names: list[str], cfg: DataConfig, seed: int
) -> Samples:
    # from_tensor_slices embeds the arrays in the graph: fine up to a few hundred MB. For more,
    # write TFRecords and let tf.data stream them.
    train_idx, val_idx = split_indices(len(x), cfg.val_fraction, seed)
    return Samples(
        train=tf.data.Dataset.from_tensor_slices((x[train_idx], y[train_idx])),
        val=tf.data.Dataset.from_tensor_slices((x[val_idx], y[val_idx])),
        num_train=len(train_idx),
        num_val=len(val_idx),
        class_names=names,
    )


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    try:
        with np.load(path) as arrays:
            x, y = arrays["x"], arrays["y"].astype(np.int32)
            names = [str(n) for n in arrays["class_names"]] if "class_names" in arrays else None
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path} is not an .npz with arrays x and y: {exc}") from exc
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4 or len(x) != len(y):
        raise ConfigError(f"{path}: x must be (N, H, W[, C]) and y (N,), not {x.shape}, {y.shape}")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / 255.0
    return x.astype(np.float32), y, names


def _decode(encoded: tf.Tensor) -> tf.Tensor:
    # Three channels, so that grayscale and colour files batch together; `data.channels` decides
    # the final number.
    image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
    return tf.image.convert_image_dtype(image, tf.float32)


def _image_folder(root: Path, cfg: DataConfig, seed: int) -> Samples:
    names = sorted(p.name for p in root.iterdir() if p.is_dir())
    if cfg.num_classes and len(names) != cfg.num_classes:
        raise ConfigError(
            f"{root} has {len(names)} class folders but data.num_classes is {cfg.num_classes}; "
            "set data.num_classes = 0 to take the classes from the folders"
        )
    if len(names) < 2:
        raise ConfigError(f"{root} has {len(names)} class folder; a classifier needs at least 2")
    files, labels = [], []
    for label, name in enumerate(names):
        images = [p for p in sorted((root / name).iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        if not images:
            suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
            raise ConfigError(f"class folder {root / name} has no images ({suffixes})")
        files += [str(p) for p in images]
        labels += [label] * len(images)
    paths, targets = np.array(files), np.array(labels, np.int32)
    train_idx, val_idx = split_indices(len(paths), cfg.val_fraction, seed)

    def read(path: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return _decode(tf.io.read_file(path)), label

    def dataset(idx: np.ndarray) -> tf.data.Dataset:
        slices = tf.data.Dataset.from_tensor_slices((paths[idx], targets[idx]))
        return slices.map(read, tf.data.AUTOTUNE)

    return Samples(dataset(train_idx), dataset(val_idx), len(train_idx), len(val_idx), names)


def _tfrecord_files(path: Path) -> list[str]:
    if path.is_file() and path.suffix in TFRECORD_SUFFIXES:
        return [str(path)]
    if path.is_dir():
        return sorted(str(p) for p in path.iterdir() if p.suffix in TFRECORD_SUFFIXES)
    return []


def _tfrecords(files: list[str], cfg: DataConfig, seed: int) -> Samples:
    # Records stream, so the split is a seeded coin flip per record index: stable across runs
    # and processes without knowing the record count.
    records = tf.data.TFRecordDataset(files).enumerate()

    def is_val(index: tf.Tensor, _: tf.Tensor) -> tf.Tensor:
        draw = tf.random.stateless_uniform([], seed=tf.stack([tf.constant(seed, tf.int64), index]))
        return draw < cfg.val_fraction

    def parse(_: tf.Tensor, record: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        example = tf.io.parse_single_example(record, TFRECORD_FEATURES)
        return _decode(example["image"]), example["label"]

    labels, val_flags = _scan_records(records, is_val)
    num_val = int(val_flags.sum())
    train = records.filter(lambda i, r: tf.logical_not(is_val(i, r))).map(parse, tf.data.AUTOTUNE)
    val = records.filter(is_val).map(parse, tf.data.AUTOTUNE)
    names = class_names(labels, None, cfg.num_classes, Path(files[0]).parent)
    return Samples(train, val, len(labels) - num_val, num_val, names)


def _scan_records(records: tf.data.Dataset, is_val) -> tuple[np.ndarray, np.ndarray]:
    """One pass over the records, reading only the labels (no image decoding): they are checked
    before training and give the split sizes."""
    label_only = {"label": TFRECORD_FEATURES["label"]}

    def scan(index: tf.Tensor, record: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        label = tf.io.parse_single_example(record, label_only)["label"]
        return label, is_val(index, record)

    labels, flags = [], []
    for batch_labels, batch_flags in records.map(scan, tf.data.AUTOTUNE).batch(4096):
        labels.append(batch_labels.numpy())
        flags.append(batch_flags.numpy())
    if not labels:
        return np.zeros([0], np.int64), np.zeros([0], bool)
    return np.concatenate(labels), np.concatenate(flags)


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
