"""The generative task's images: synthetic shapes, image folders (and the files they refuse), the
split, the mean-image baseline, and the PNG files `predict` and each epoch write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.pictures import (
    load_pictures,
    mean_image_loss,
    read_image_folder,
    split,
    synthetic_shapes,
    tile,
    write_grid,
    write_images,
)


def test_synthetic_shapes_are_seeded_and_varied() -> None:
    a = synthetic_shapes(40, 16, 3, seed=1)
    assert a.shape == (40, 16, 16, 3) and a.dtype == np.uint8
    assert np.array_equal(a, synthetic_shapes(40, 16, 3, seed=1))
    assert not np.array_equal(a, synthetic_shapes(40, 16, 3, seed=2))
    # A bright shape on a dark ground: every image has both, and no two are alike.
    flat = a.reshape(40, -1)
    assert (flat.max(axis=1) > 100).all() and (flat.min(axis=1) < 40).all()
    assert len({img.tobytes() for img in a}) == 40


def test_folder_images_are_cropped_resized_and_converted(tmp_path: Path) -> None:
    (tmp_path / "cats").mkdir()
    Image.new("RGB", (40, 20), (255, 0, 0)).save(tmp_path / "cats" / "wide.png")
    Image.new("L", (9, 9), 200).save(tmp_path / "grey.jpg")
    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    rgb = read_image_folder(tmp_path, 8, 3)
    assert rgb.shape == (2, 8, 8, 3)
    assert tuple(rgb[0, 4, 4]) == (255, 0, 0)  # cats/wide.png sorts first
    grey = read_image_folder(tmp_path, 8, 1)
    assert grey.shape == (2, 8, 8, 1) and abs(int(grey[1, 4, 4, 0]) - 200) <= 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "missing", "does not exist"),
        (lambda root: _file(root / "a.png"), "is not a folder"),
        (lambda root: root, "holds 0 image files"),
        (lambda root: _broken(root), "is not a readable image"),
    ],
)
def test_bad_folders_are_one_line(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        read_image_folder(make(tmp_path), 8, 3)
    assert "\n" not in str(err.value)


def _file(path: Path) -> Path:
    Image.new("RGB", (4, 4)).save(path)
    return path


def _broken(root: Path) -> Path:
    _file(root / "good.png")
    (root / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    return root


def test_split_holds_out_a_seeded_fraction() -> None:
    images = synthetic_shapes(50, 8, 1, seed=0)
    train, val = split(images, 0.2, seed=3)
    assert (len(train), len(val)) == (40, 10)
    again = split(images, 0.2, seed=3)
    assert np.array_equal(train, again[0]) and np.array_equal(val, again[1])
    seen = {img.tobytes() for img in train}
    assert not any(img.tobytes() in seen for img in val)
    assert [len(part) for part in split(images[:2], 0.01, seed=0)] == [1, 1]


def test_mean_image_loss_by_hand() -> None:
    # Training mean 0.5 everywhere; a validation image of 1s costs -log(0.5) per pixel.
    train = np.array([np.zeros((2, 2, 1)), np.full((2, 2, 1), 255)], np.uint8)
    val = np.full((1, 2, 2, 1), 255, np.uint8)
    assert mean_image_loss(train, val) == pytest.approx(4 * np.log(2), rel=1e-5)
    # A validation set equal to the constant training image costs almost nothing.
    assert mean_image_loss(val, val) < 1e-2


def test_grid_places_every_image(tmp_path: Path) -> None:
    images = np.stack([np.full((3, 3, 1), v, np.uint8) for v in (10, 20, 30)])
    grid = tile(images, columns=2, gap=1)
    assert grid.shape == (9, 9, 1)
    assert grid[1, 1, 0] == 10 and grid[1, 5, 0] == 20 and grid[5, 1, 0] == 30
    assert grid[5, 5, 0] == 128  # the empty cell is gap grey
    path = write_grid(np.random.default_rng(0).random((5, 4, 4, 3)), tmp_path / "s" / "grid.png")
    assert Image.open(path).size == (2 + 5 * 6, 6 + 2)
    assert [p.name for p in path.parent.iterdir()] == ["grid.png"]


def test_write_images_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = write_images(np.ones((3, 4, 4, 1)), out)
    assert [p.name for p in paths] == ["sample-0000.png", "sample-0001.png", "sample-0002.png"]
    assert np.asarray(Image.open(paths[0])).max() == 255
    before = {p: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ConfigError, match="is not empty"):
        write_images(np.zeros((3, 4, 4, 1)), out)
    assert {p: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a file"):
        write_images(np.zeros((1, 4, 4, 1)), tmp_path / "file")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "mine"


def test_load_pictures_reads_the_configured_source(tmp_path: Path) -> None:
    assert load_pictures("synthetic", 6, 8, 3, seed=0).shape == (6, 8, 8, 3)
    for n in range(3):
        Image.new("RGB", (8, 8), (n * 50, 0, 0)).save(tmp_path / f"{n}.png")
    assert load_pictures(str(tmp_path), 99, 8, 3, seed=0).shape == (3, 8, 8, 3)
