import numpy as np
import pytest

from {{ cookiecutter.package_name }}.clips import SYNTHETIC_CLASSES, clip_length, write_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.task import read_meta, run_split, write_meta


def test_split_sizes_and_waveforms(config: Config) -> None:
    split = load_split(config.data, seed=0)
    length = clip_length(config.data.sample_rate, config.data.clip_seconds)
    assert len(split.y_val) == round(256 * config.data.val_fraction)
    assert len(split.y_train) + len(split.y_val) == 256
    assert split.x_train.shape == (len(split.y_train), length) == (205, 4000)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int32
    assert split.meta == sorted(SYNTHETIC_CLASSES)
    assert set(split.y_train.tolist()) == set(range(len(SYNTHETIC_CLASSES)))


def test_a_run_reads_its_clips_and_refuses_other_classes(config: Config, tmp_path) -> None:
    split = load_split(config.data, seed=0)
    write_meta(tmp_path, split.meta)
    again = run_split(config.data, 0, read_meta(tmp_path))
    np.testing.assert_array_equal(again.x_val, split.x_val)
    for name in ("bird", "siren"):
        (tmp_path / "clips" / name).mkdir(parents=True)
        for i in range(5):
            write_wav(tmp_path / "clips" / name / f"{i}.wav", np.zeros(800), 8000)
    config.data.source = str(tmp_path / "clips")
    with pytest.raises(ConfigError, match="trained on"):
        run_split(config.data, 0, read_meta(tmp_path))
