from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.batches import ScoreBatches, TrainBatches
from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_split, synthetic


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
    assert split.meta == [str(i) for i in range(10)]


def test_shuffle_is_a_function_of_seed_and_epoch() -> None:
    x, y = np.zeros((70, 4, 4, 1), "float32"), np.arange(70)
    batches = TrainBatches(x, y, batch_size=32, seed=3)
    assert len(batches) == 2 and batches[0][0].shape == (32, 4, 4, 1)  # the partial batch dropped
    batches.set_epoch(1)
    epoch1 = np.concatenate([batches[i][1] for i in range(len(batches))])
    batches.set_epoch(2)
    assert not np.array_equal(epoch1, np.concatenate([batches[i][1] for i in range(2)]))
    again = TrainBatches(x, y, batch_size=32, seed=3)  # a resumed run, starting at epoch 1
    again.set_epoch(1)
    np.testing.assert_array_equal(epoch1, np.concatenate([again[i][1] for i in range(2)]))
    assert len(set(epoch1)) == 64


def test_score_batches_pad_to_the_device_count() -> None:
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1)
    batches = ScoreBatches(x, batch_size=4, multiple=4)
    assert [batches[i][0].shape[0] for i in range(len(batches))] == [4, 4, 4]
    np.testing.assert_array_equal(batches[2][0].ravel(), [8, 9, 9, 9])


def image_folder(root: Path, names: tuple[str, ...]) -> Path:
    rng = np.random.default_rng(0)
    for name in names:
        (root / name).mkdir(parents=True)
        for i in range(3):
            pixels = rng.integers(0, 255, size=(40, 30, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_image_folder_names_the_classes(config: Config, tmp_path: Path) -> None:
    config.data.source = str(image_folder(tmp_path, ("cat", "dog")))
    split = load_split(config.data, seed=0)
    assert split.meta == ["cat", "dog"]
    assert split.x_train.shape[1:] == (28, 28, 1)
    assert len(split.y_train) + len(split.y_val) == 6
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0


def test_image_folder_disagreeing_with_num_classes_is_refused(
    config: Config, tmp_path: Path
) -> None:
    config.data.source = str(image_folder(tmp_path, ("cat", "dog")))
    config.data.num_classes = 5
    with pytest.raises(ConfigError, match="2 class folders"):
        load_split(config.data, seed=0)


def test_npz_is_scaled_and_resized(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.integers(0, 255, (10, 32, 32), dtype=np.uint8), y=np.arange(10) % 3)
    config.data.source = str(path)
    split = load_split(config.data, seed=0)
    assert split.x_train.shape[1:] == (28, 28, 1)
    assert split.x_train.max() <= 1.0
    assert split.meta == ["0", "1", "2"]


def test_labels_beyond_num_classes_are_refused(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((4, 28, 28), "float32"), y=np.array([0, 1, 2, 12]))
    config.data.source = str(path)
    config.data.num_classes = 10
    with pytest.raises(ConfigError, match=r"data\.num_classes is 10"):
        load_split(config.data, seed=0)


def test_a_missing_source_is_refused(config: Config, tmp_path: Path) -> None:
    config.data.source = str(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="does not exist"):
        load_split(config.data, seed=0)


# Bad image settings, and a word the one-line message must contain.
BAD_VALUES = {
    "data.image_size=2": "data.image_size",
    "data.channels=2": "data.channels",
    "data.num_classes=1": "data.num_classes",
    "model.filters=[8, 0]": "model.filters",
}


@pytest.mark.parametrize("override", BAD_VALUES)
def test_bad_image_settings_are_refused(override: str) -> None:
    with pytest.raises(ConfigError, match=BAD_VALUES[override].replace(".", r"\.")):
        load_config(Config, None, [override])
