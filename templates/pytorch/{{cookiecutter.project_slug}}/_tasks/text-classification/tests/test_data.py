from __future__ import annotations

from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders
from {{ cookiecutter.package_name }}.distributed import Distributed
from {{ cookiecutter.package_name }}.task_config import DataConfig
from {{ cookiecutter.package_name }}.tokenizer import PAD_ID


def test_batches_are_cut_to_their_longest_text_and_resume_mid_epoch() -> None:
    config = Config(data=DataConfig(num_samples=80, batch_size=8))
    loaders = build_loaders(config, torch.device("cpu"))
    loaders.set_epoch(0)
    for ids, labels in loaders.train:
        assert ids.dtype == torch.int64 and len(ids) == len(labels) == 8
        assert (ids[:, -1] != PAD_ID).any()  # no column is padding in every row

    def labels(number: int, start: int = 0) -> list[list[int]]:
        loaders.set_epoch(number, start)
        return [batch[-1].tolist() for batch in loaders.train]

    assert labels(0) != labels(1) and labels(1, start=2) == labels(1)[2:]


def test_ranks_score_disjoint_slices_of_the_held_out_texts() -> None:
    cfg = Config(data=DataConfig(num_samples=101, batch_size=4))
    whole = build_loaders(cfg, torch.device("cpu")).val.tensors[1]
    slices = [
        build_loaders(cfg, torch.device("cpu"), Distributed(r, r, 2)).val.tensors[1]
        for r in range(2)
    ]
    torch.testing.assert_close(slices[0], whole[0::2])
    torch.testing.assert_close(slices[1], whole[1::2])


def test_a_csv_without_the_text_column_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("body,label\nhello,a\nbye,b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data\.text_column"):
        build_loaders(Config(data=DataConfig(source=str(path))), torch.device("cpu"))
