import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_datasets, make_synthetic, write_tfrecord


def _images(n: int, size: int = 20, channels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, size, size, channels), dtype=np.uint8), np.arange(n) % 3


def _check(cfg: DataConfig, expected_total: int | None = None) -> None:
    data = load_datasets(cfg, seed=0)
    if expected_total is not None:
        assert data.num_train + data.num_val == expected_total
    images, labels = next(iter(data.train))
    assert images.shape == (cfg.batch_size, cfg.image_size, cfg.image_size, cfg.channels)
    assert images.dtype == tf.float32 and labels.dtype == tf.int32
    assert float(tf.reduce_min(images)) >= 0.0 and float(tf.reduce_max(images)) <= 1.0
    assert int(tf.reduce_max(labels)) < cfg.num_classes


def test_synthetic_is_deterministic_and_shaped():
    x1, y1 = make_synthetic(100, 28, 1, 10, seed=3)
    x2, y2 = make_synthetic(100, 28, 1, 10, seed=3)
    assert x1.shape == (100, 28, 28, 1) and x1.dtype == np.float32
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    _check(DataConfig(num_samples=200, batch_size=16), expected_total=200)


def test_npz_loader_resizes_and_scales(tmp_path):
    x, y = _images(40, size=32, channels=1)
    np.savez(tmp_path / "train.npz", x=x[..., 0], y=y)
    _check(DataConfig(source=str(tmp_path / "train.npz"), num_classes=3, batch_size=8), 40)


def test_image_folder_loader(tmp_path):
    x, y = _images(30)
    for i, (image, label) in enumerate(zip(x, y, strict=True)):
        folder = tmp_path / "images" / f"class_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        tf.io.write_file(str(folder / f"{i}.png"), tf.io.encode_png(image))
    _check(DataConfig(source=str(tmp_path / "images"), num_classes=3, batch_size=8), 30)


def test_image_folder_with_wrong_class_count_is_refused(tmp_path):
    (tmp_path / "images" / "only").mkdir(parents=True)
    with pytest.raises(ConfigError, match="class folders"):
        load_datasets(DataConfig(source=str(tmp_path / "images")), seed=0)


def test_tfrecord_loader(tmp_path):
    x, y = _images(60)
    write_tfrecord(tmp_path / "train.tfrecord", x, y)
    cfg = DataConfig(source=str(tmp_path / "train.tfrecord"), num_classes=3, batch_size=8)
    _check(cfg, 60)
