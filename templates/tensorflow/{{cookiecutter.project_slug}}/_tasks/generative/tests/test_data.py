import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.data import load_datasets
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.task import ImageSpec
from {{ cookiecutter.package_name }}.task_config import DataConfig


def test_a_sample_is_the_image_twice_in_zero_to_one():
    data = load_datasets(DataConfig(num_samples=100, image_size=16), seed=0)
    assert (data.num_train, data.num_val) == (90, 10) and data.spec == ImageSpec(16, 3)
    images, targets = next(iter(data.samples.batch(90)))
    np.testing.assert_array_equal(images.numpy(), targets.numpy())
    assert images.shape == (90, 16, 16, 3) and images.dtype.name == "float32"
    assert float(images.numpy().min()) >= 0.0 and float(images.numpy().max()) <= 1.0
    assert data.summary["baselines"]["mean_image"]["reconstruction"] > 0


def test_a_folder_of_pictures_becomes_grey_squares(tmp_path):
    for n in range(12):
        colour = (40 * (n % 6), 200, 30)
        Image.new("RGB", (40 + n, 30), colour).save(tmp_path / f"p{n}.png")
    cfg = DataConfig(source=str(tmp_path), image_size=8, channels=1, batch_size=4)
    data = load_datasets(cfg, seed=0)
    assert data.num_train + data.num_val == 12 and data.spec == ImageSpec(8, 1)
    images, _ = next(iter(data.val.batch(12)))
    assert images.shape[1:] == (8, 8, 1)


def test_a_folder_without_pictures_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("not a picture")
    with pytest.raises(ConfigError, match="holds 0 image files"):
        load_datasets(DataConfig(source=str(tmp_path)), seed=0)
