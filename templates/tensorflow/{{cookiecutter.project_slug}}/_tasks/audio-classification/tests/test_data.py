import numpy as np
import pytest

from {{ cookiecutter.package_name }}.clips import write_wav
from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.data import load_datasets
from {{ cookiecutter.package_name }}.errors import ConfigError


def _folder(root, per_class=12):
    for name, hz in (("hum", 150.0), ("beep", 1500.0), ("whistle", 3000.0)):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            t = np.arange(4000 + 100 * i) / 8000
            write_wav(root / name / f"{i}.wav", 0.5 * np.sin(2 * np.pi * hz * t), 8000)
    return root


def test_a_wav_folder_gives_float_waveforms_of_one_length(tmp_path):
    cfg = DataConfig(source=str(_folder(tmp_path / "clips")), batch_size=8, sample_rate=8000,
                     clip_seconds=0.25)  # fmt: skip
    data = load_datasets(cfg, seed=0)
    assert data.spec == ["beep", "hum", "whistle"] and data.num_train + data.num_val == 36
    assert data.summary["num_classes"] == 3 and "majority" in data.summary["baselines"]
    waves, labels = next(iter(data.train_batches(epoch=1)))
    assert waves.dtype.name == "float32" and waves.shape == (8, 2000) and labels.dtype.is_integer


def test_each_epoch_has_its_own_order_and_it_is_reproducible():
    cfg = DataConfig(num_samples=96, batch_size=16, sample_rate=8000, clip_seconds=0.25)
    first, again = load_datasets(cfg, seed=0), load_datasets(cfg, seed=0)

    def labels(data, epoch):
        return [int(v) for _, batch in data.train_batches(epoch) for v in batch]

    assert labels(first, 1) != labels(first, 2)
    assert labels(first, 2) == labels(again, 2)
    resumed = [int(v) for _, batch in again.train_batches(2, skip=1) for v in batch]
    assert labels(first, 2)[16:] == resumed  # a run resumed after the epoch's first step


def test_a_batch_larger_than_the_data_is_one_line():
    with pytest.raises(ConfigError, match=r"data\.batch_size"):
        load_datasets(DataConfig(num_samples=60, batch_size=64, sample_rate=8000), seed=0)
