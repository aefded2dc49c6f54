from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.clips import write_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders
from {{ cookiecutter.package_name }}.distributed import Distributed
from {{ cookiecutter.package_name }}.task_config import DataConfig

SHORT = {"sample_rate": 8000, "clip_seconds": 0.25}


def test_batches_are_waveforms_that_reshuffle_and_resume_mid_epoch() -> None:
    config = Config(data=DataConfig(num_samples=80, batch_size=8, **SHORT))
    loaders = build_loaders(config, torch.device("cpu"))
    loaders.set_epoch(0)
    waves, labels = next(iter(loaders.train))
    assert waves.shape == (8, 2000) and waves.dtype == torch.float32
    assert labels.dtype == torch.int64 and len(loaders.train) == 64 // 8

    def labels_of(epoch: int, start: int = 0) -> list[list[int]]:
        loaders.set_epoch(epoch, start)
        return [batch[-1].tolist() for batch in loaders.train]

    assert labels_of(0) != labels_of(1) and labels_of(1, start=2) == labels_of(1)[2:]


def test_ranks_score_disjoint_slices_of_the_held_out_clips() -> None:
    config = Config(data=DataConfig(num_samples=101, batch_size=4, **SHORT))
    whole = build_loaders(config, torch.device("cpu")).val.tensors
    slices = [
        build_loaders(config, torch.device("cpu"), Distributed(r, r, 2)).val.tensors
        for r in range(2)
    ]
    for rank, (waves, labels) in enumerate(slices):
        torch.testing.assert_close(waves, whole[0][rank::2])
        torch.testing.assert_close(labels, whole[1][rank::2])


def test_a_folder_of_wav_classes_loads_with_its_class_names(tmp_path: Path) -> None:
    t = np.arange(4000) / 8000
    for i in range(12):
        label, hz = [("hum", 200), ("whistle", 2000)][i % 2]
        (tmp_path / label).mkdir(exist_ok=True)
        write_wav(tmp_path / label / f"{i}.wav", 0.5 * np.sin(2 * np.pi * hz * t), 8000)
    config = Config(data=DataConfig(source=str(tmp_path), val_fraction=0.25, batch_size=4))
    loaders = build_loaders(config, torch.device("cpu"))
    assert loaders.clips.classes == ["hum", "whistle"]
    # Resampled to data.sample_rate, then padded from 0.5 s to data.clip_seconds.
    assert loaders.val.tensors[0].shape == (3, 16000)
    assert (loaders.val.tensors[0][:, 8000:] == 0).all()


def test_a_file_that_is_not_a_wav_file_is_one_line(tmp_path: Path) -> None:
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        write_wav(tmp_path / label / "ok.wav", np.zeros(800), 8000)
    (tmp_path / "b" / "broken.wav").write_bytes(b"RIFF....not really")
    with pytest.raises(ConfigError, match=r"broken\.wav: not a PCM WAV") as error:
        build_loaders(Config(data=DataConfig(source=str(tmp_path))), torch.device("cpu"))
    assert "\n" not in str(error.value)
