from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders, load_dataset, split, synthetic_arrays


def test_synthetic_data_is_deterministic_and_in_range() -> None:
    cfg = DataConfig(num_samples=100)
    x, y = synthetic_arrays(cfg, seed=1)
    assert x.shape == (100, 1, 28, 28) and x.dtype == torch.float32
    assert y.shape == (100,) and y.dtype == torch.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert set(y.tolist()) <= set(range(10))
    assert torch.equal(x, synthetic_arrays(cfg, seed=1)[0])
    assert not torch.equal(x, synthetic_arrays(cfg, seed=2)[0])


def test_split_is_disjoint_and_repeatable() -> None:
    dataset = load_dataset(DataConfig(num_samples=50), seed=0)
    train, val = split(dataset, 0.2, seed=0)
    assert len(train) == 40 and len(val) == 10
    assert not set(train.indices) & set(val.indices)
    assert split(dataset, 0.2, seed=0)[1].indices == val.indices


def test_loaders_yield_batches() -> None:
    loaders = build_loaders(DataConfig(num_samples=64, batch_size=16), 0, torch.device("cpu"))
    images, labels = next(iter(loaders.train))
    assert images.shape == (16, 1, 28, 28) and labels.shape == (16,)


def test_npz(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "data.npz"
    np.savez(path, x=rng.integers(0, 256, (12, 32, 32), dtype=np.uint8), y=np.arange(12) % 3)
    dataset = load_dataset(DataConfig(source=str(path), num_classes=3), seed=0)
    image, label = dataset[5]
    assert len(dataset) == 12 and image.shape == (1, 28, 28) and int(label) == 2
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_csv_with_header(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(6) % 2
    pixels = rng.integers(0, 256, (6, 28 * 28))
    header = "label," + ",".join(f"pixel{i}" for i in range(28 * 28))
    path = tmp_path / "data.csv"
    table = np.column_stack([labels, pixels])
    np.savetxt(path, table, fmt="%d", delimiter=",", header=header, comments="")
    dataset = load_dataset(DataConfig(source=str(path)), seed=0)
    image, label = dataset[3]
    assert len(dataset) == 6 and image.shape == (1, 28, 28) and int(label) == 1
    assert torch.allclose(image.flatten(), torch.tensor(pixels[3] / 255.0, dtype=torch.float32))


def test_image_folder(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        for i in range(3):
            pixels = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / name / f"{i}.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    dataset = load_dataset(DataConfig(source=str(tmp_path), num_classes=2), seed=0)
    image, label = dataset[4]
    assert len(dataset) == 6 and image.shape == (1, 28, 28) and int(label) == 1
    rgb = load_dataset(DataConfig(source=str(tmp_path), num_classes=2, channels=3), seed=0)
    assert rgb[0][0].shape == (3, 28, 28)


def test_too_many_classes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((4, 28, 28), dtype=np.uint8), y=np.array([0, 1, 2, 3]))
    with pytest.raises(ConfigError, match="num_classes=4"):
        load_dataset(DataConfig(source=str(path), num_classes=3), seed=0)
