from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders, split
from {{ cookiecutter.package_name }}.sources import load_source, synthetic_arrays
from {{ cookiecutter.package_name }}.task_config import DataConfig


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
    dataset = load_source(DataConfig(num_samples=50), seed=0).dataset
    train, val = split(dataset, 0.2, seed=0)
    assert len(train) == 40 and len(val) == 10
    assert not set(train.indices) & set(val.indices)
    assert split(dataset, 0.2, seed=0)[1].indices == val.indices
    assert split(dataset, 0.2, seed=1)[1].indices != val.indices


def test_loaders_reshuffle_per_epoch_and_resume_mid_epoch() -> None:
    cfg = DataConfig(num_samples=64, batch_size=8)
    loaders = build_loaders(Config(data=cfg), torch.device("cpu"))

    def labels(number: int, start: int = 0) -> list[list[int]]:
        loaders.set_epoch(number, start)
        return [y.tolist() for _, y in loaders.train]

    images, _ = next(iter(loaders.train))
    assert images.shape == (8, 1, 28, 28)
    assert labels(0) != labels(1) and labels(1) == labels(1)
    assert labels(1, start=2) == labels(1)[2:]


def test_npz_with_class_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "data.npz"
    x = rng.integers(0, 256, (12, 32, 32), dtype=np.uint8)
    np.savez(path, x=x, y=np.arange(12) % 3, classes=np.array(["ant", "bee", "cow"]))
    source = load_source(DataConfig(source=str(path)), seed=0)
    image, label = source.dataset[5]
    assert source.classes == ["ant", "bee", "cow"]
    assert len(source.dataset) == 12 and image.shape == (1, 28, 28) and int(label) == 2
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_integer_labels_give_the_number_of_classes(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((6, 28, 28), dtype=np.uint8), y=np.array([0, 1, 3, 0, 1, 3]))
    assert load_source(DataConfig(source=str(path)), seed=0).classes == ["0", "1", "2", "3"]
    five = load_source(DataConfig(source=str(path), num_classes=5), seed=0)
    assert len(five.classes) == 5


def test_labels_outside_num_classes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((4, 28, 28), dtype=np.uint8), y=np.array([0, 1, 2, 3]))
    with pytest.raises(ConfigError, match=r"label 3 is outside data.num_classes = 3"):
        load_source(DataConfig(source=str(path), num_classes=3), seed=0)
    np.savez(path, x=np.zeros((2, 28, 28), dtype=np.uint8), y=np.array([0, -1]))
    with pytest.raises(ConfigError, match="label -1"):
        load_source(DataConfig(source=str(path)), seed=0)


def write_csv(path: Path, labels: list[str], header: bool) -> np.ndarray:
    pixels = np.random.default_rng(0).integers(0, 256, (len(labels), 28 * 28))
    with path.open("w") as f:
        if header:
            f.write("label," + ",".join(f"pixel{i}" for i in range(28 * 28)) + "\n")
        for label, row in zip(labels, pixels, strict=True):
            f.write(label + "," + ",".join(map(str, row)) + "\n")
    return pixels


def test_csv_with_header_and_integer_labels(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    pixels = write_csv(path, ["0", "1"] * 3, header=True)
    source = load_source(DataConfig(source=str(path)), seed=0)
    image, label = source.dataset[3]
    assert len(source.dataset) == 6 and image.shape == (1, 28, 28) and int(label) == 1
    assert torch.allclose(image.flatten(), torch.tensor(pixels[3] / 255.0, dtype=torch.float32))
    assert source.classes == ["0", "1"]


def test_csv_with_class_names_and_no_header(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    write_csv(path, ["dog", "cat", "dog", "emu"], header=False)
    source = load_source(DataConfig(source=str(path)), seed=0)
    assert source.classes == ["cat", "dog", "emu"]
    assert [int(source.dataset[i][1]) for i in range(4)] == [1, 0, 1, 2]


def make_folder(root: Path, names: tuple[str, ...] = ("cat", "dog")) -> Path:
    rng = np.random.default_rng(0)
    for name in names:
        (root / name).mkdir(parents=True)
        for i in range(3):
            pixels = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_image_folder_takes_classes_from_its_sub_folders(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "images")
    (root / "dog" / "notes.txt").write_text("not an image")
    (root / ".cache").mkdir()
    source = load_source(DataConfig(source=str(root)), seed=0)
    image, label = source.dataset[4]
    assert source.classes == ["cat", "dog"]
    assert len(source.dataset) == 6 and image.shape == (1, 28, 28) and int(label) == 1
    rgb = load_source(DataConfig(source=str(root), channels=3), seed=0)
    assert rgb.dataset[0][0].shape == (3, 28, 28)
    with pytest.raises(ConfigError, match=r"data.num_classes = 10 but .* has 2 classes"):
        load_source(DataConfig(source=str(root), num_classes=10), seed=0)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing-folder", "does not exist"),
        ("empty", "has no images"),
        ("notes.txt", "is not 'synthetic', a folder, .npz or .csv"),
    ],
)
def test_unusable_sources_are_refused(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match=message):
        load_source(DataConfig(source=str(tmp_path / source)), seed=0)
