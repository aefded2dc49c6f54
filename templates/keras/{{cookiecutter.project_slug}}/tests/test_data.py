from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import ArrayDataset, load_split, synthetic


def test_synthetic_is_seeded_and_in_range(config: Config) -> None:
    x, y = synthetic(config.data, seed=1)
    x2, _ = synthetic(config.data, seed=1)
    assert x.shape == (256, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert set(np.unique(y)) <= set(range(10))
    np.testing.assert_array_equal(x, x2)


def test_split_sizes(config: Config) -> None:
    split = load_split(config.data, seed=0)
    assert len(split.y_val) == round(256 * config.data.val_fraction)
    assert len(split.y_train) + len(split.y_val) == 256


def test_dataset_batches_and_drop_remainder() -> None:
    x, y = np.zeros((70, 4, 4, 1), "float32"), np.arange(70)
    train = ArrayDataset(x, y, batch_size=32, shuffle=True, drop_remainder=True)
    val = ArrayDataset(x, y, batch_size=32)
    assert len(train) == 2 and len(val) == 3
    assert train[0][0].shape == (32, 4, 4, 1)
    assert val[2][0].shape == (6, 4, 4, 1)


def test_image_folder(config: Config, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        for i in range(3):
            pixels = rng.integers(0, 255, size=(40, 30, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / name / f"{i}.png")
    config.data.source = str(tmp_path)
    config.data.num_classes = 2
    split = load_split(config.data, seed=0)
    assert split.class_names == ["cat", "dog"]
    assert split.x_train.shape[1:] == (28, 28, 1)
    assert len(split.y_train) + len(split.y_val) == 6
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0


def test_npz_is_scaled_and_resized(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.integers(0, 255, (10, 32, 32), dtype=np.uint8), y=np.arange(10) % 3)
    config.data.source = str(path)
    split = load_split(config.data, seed=0)
    assert split.x_train.shape[1:] == (28, 28, 1)
    assert split.x_train.max() <= 1.0


def test_labels_beyond_num_classes_are_refused(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((4, 28, 28), "float32"), y=np.array([0, 1, 2, 12]))
    config.data.source = str(path)
    with pytest.raises(ConfigError, match="num_classes"):
        load_split(config.data, seed=0)
