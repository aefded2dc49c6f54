import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_datasets
from {{ cookiecutter.package_name }}.sources import make_synthetic, write_tfrecord


def _images(n: int, size: int = 20, channels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (n, size, size, channels), dtype=np.uint8), np.arange(n) % 3


def _check(cfg: DataConfig, expected_total: int | None = None):
    data = load_datasets(cfg, seed=0)
    if expected_total is not None:
        assert data.num_train + data.num_val == expected_total
    images, labels = next(iter(data.train_batches(epoch=1)))
    assert images.shape == (cfg.batch_size, cfg.image_size, cfg.image_size, cfg.channels)
    assert images.dtype == tf.float32 and labels.dtype == tf.int32
    assert float(tf.reduce_min(images)) >= 0.0 and float(tf.reduce_max(images)) <= 1.0
    assert int(tf.reduce_max(labels)) < len(data.spec)
    return data


def _image_folder(root, classes=("cat", "dog"), n=30):
    x, y = _images(n)
    for i, (image, label) in enumerate(zip(x, y % len(classes), strict=True)):
        folder = root / classes[label]
        folder.mkdir(parents=True, exist_ok=True)
        tf.io.write_file(str(folder / f"{i}.png"), tf.io.encode_png(image))
    return root


def _labels(ds: tf.data.Dataset) -> list[int]:
    return [int(v) for _, labels in ds for v in labels]


def test_synthetic_is_deterministic_and_shaped():
    x1, y1 = make_synthetic(100, 28, 1, 10, seed=3)
    x2, y2 = make_synthetic(100, 28, 1, 10, seed=3)
    assert x1.shape == (100, 28, 28, 1) and x1.dtype == np.float32
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    data = _check(DataConfig(num_samples=200, batch_size=16), expected_total=200)
    assert len(data.spec) == 10


def test_each_epoch_has_its_own_order_and_it_is_reproducible():
    cfg = DataConfig(num_samples=200, batch_size=16)
    first, again = load_datasets(cfg, seed=0), load_datasets(cfg, seed=0)
    epoch1, epoch2 = _labels(first.train_batches(1)), _labels(first.train_batches(2))
    assert epoch1 != epoch2  # reshuffled every epoch
    # A fresh process (a resumed run) sees the same order for the same epoch, and a skip of
    # k batches starts at the k-th batch of that order.
    assert _labels(again.train_batches(2)) == epoch2
    assert _labels(again.train_batches(2, skip=3)) == epoch2[3 * 16 :]


def test_npz_loader_resizes_and_scales(tmp_path):
    x, y = _images(40, size=32, channels=1)
    np.savez(tmp_path / "train.npz", x=x[..., 0], y=y)
    data = _check(DataConfig(source=str(tmp_path / "train.npz"), batch_size=8), 40)
    assert data.spec == ["0", "1", "2"]


def test_npz_class_names_and_labels_out_of_range(tmp_path):
    x, y = _images(40)
    np.savez(tmp_path / "named.npz", x=x, y=y, class_names=np.array(["a", "b", "c"]))
    data = load_datasets(DataConfig(source=str(tmp_path / "named.npz"), batch_size=8), seed=0)
    assert data.spec == ["a", "b", "c"]
    with pytest.raises(ConfigError, match=r"names 3 classes but data.num_classes is 2"):
        load_datasets(DataConfig(source=str(tmp_path / "named.npz"), num_classes=2), seed=0)
    np.savez(tmp_path / "plain.npz", x=x, y=y)
    with pytest.raises(ConfigError, match=r"label 2, outside 0..1"):
        load_datasets(DataConfig(source=str(tmp_path / "plain.npz"), num_classes=2), seed=0)


def test_image_folder_takes_its_classes_from_the_folders(tmp_path):
    root = _image_folder(tmp_path / "images")
    data = _check(DataConfig(source=str(root), batch_size=8), 30)
    assert data.spec == ["cat", "dog"]


def test_image_folder_with_wrong_class_count_is_refused(tmp_path):
    root = _image_folder(tmp_path / "images")
    with pytest.raises(ConfigError, match=r"2 class folders but data.num_classes is 3"):
        load_datasets(DataConfig(source=str(root), num_classes=3), seed=0)
    (root / "empty").mkdir()
    with pytest.raises(ConfigError, match="has no images"):
        load_datasets(DataConfig(source=str(root)), seed=0)


def test_missing_source_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="no such file or folder") as caught:
        load_datasets(DataConfig(source=str(tmp_path / "nowhere")), seed=0)
    assert "\n" not in str(caught.value)


def test_tfrecord_loader(tmp_path):
    x, y = _images(60)
    write_tfrecord(tmp_path / "train.tfrecord", x, y)
    data = _check(DataConfig(source=str(tmp_path / "train.tfrecord"), batch_size=8), 60)
    assert data.spec == ["0", "1", "2"]
    with pytest.raises(ConfigError, match=r"outside 0..1"):
        load_datasets(DataConfig(source=str(tmp_path / "train.tfrecord"), num_classes=2), seed=0)
