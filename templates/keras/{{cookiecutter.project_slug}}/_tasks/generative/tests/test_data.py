"""The images as arrays: one array for input and target, pixels in [0, 1], folders of pictures,
and the refusals."""

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.task import Meta, new_split, run_split
from {{ cookiecutter.package_name }}.task_config import DataConfig


def test_a_sample_is_the_image_twice_in_zero_to_one() -> None:
    config = Config()
    config.data.num_samples, config.data.image_size = 100, 16
    split = new_split(config, seed=0)
    assert split.x_train is split.y_train and split.x_val is split.y_val  # held once
    assert split.x_train.shape == (90, 16, 16, 3) and split.x_val.shape == (10, 16, 16, 3)
    assert split.x_train.dtype == np.float32
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0
    assert split.mean_image > 0
    again = new_split(config, seed=0)
    np.testing.assert_array_equal(again.x_val, split.x_val)  # one split per seed


def test_a_folder_of_pictures_becomes_grey_squares(tmp_path) -> None:
    for n in range(12):
        Image.new("RGB", (40 + n, 30), (40 * (n % 6), 200, 30)).save(tmp_path / f"p{n}.png")
    cfg = DataConfig(source=str(tmp_path), image_size=8, channels=1)
    split = run_split(cfg, 0, Meta(8, 1, 4, 1.0))
    assert len(split.x_train) + len(split.x_val) == 12 and split.x_val.shape[1:] == (8, 8, 1)


def test_a_folder_without_pictures_is_one_line(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("not a picture")
    with pytest.raises(ConfigError, match="holds 0 image files"):
        run_split(DataConfig(source=str(tmp_path)), 0, Meta(32, 3, 16, 1.0))


def test_other_image_sizes_than_the_runs_are_refused() -> None:
    with pytest.raises(ConfigError, match="trained on 3-channel 32px images") as refused:
        run_split(DataConfig(image_size=16), 0, Meta(32, 3, 16, 1.0))
    assert "\n" not in str(refused.value)
