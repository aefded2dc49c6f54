from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders
from {{ cookiecutter.package_name }}.distributed import Distributed
from {{ cookiecutter.package_name }}.task_config import DataConfig

SMALL = {"num_users": 60, "num_items": 40}


def test_batches_are_pairs_that_reshuffle_and_resume_mid_epoch() -> None:
    config = Config(data=DataConfig(batch_size=16, **SMALL))
    loaders = build_loaders(config, torch.device("cpu"))
    loaders.set_epoch(0)
    users, items, labels = next(iter(loaders.train))
    assert users.shape == items.shape == (16,) and users.dtype == items.dtype == torch.int64
    assert torch.equal(labels, items)  # each pair's own item is its positive
    assert len(loaders.train) == len(loaders.data.train_users) // 16

    def items_of(epoch: int, start: int = 0) -> list[list[int]]:
        loaders.set_epoch(epoch, start)
        return [batch[-1].tolist() for batch in loaders.train]

    assert items_of(0) != items_of(1) and items_of(1, start=2) == items_of(1)[2:]


def test_validation_batches_carry_each_users_targets() -> None:
    config = Config(data=DataConfig(batch_size=16, **SMALL))
    loaders = build_loaders(config, torch.device("cpu"))
    data = loaders.data
    users, targets = (torch.cat(parts) for parts in zip(*loaders.val, strict=True))
    assert torch.equal(users, torch.from_numpy(data.val_users))
    assert targets.dtype == torch.int8 and targets.shape == (len(users), data.num_items)
    assert np.array_equal(targets.numpy(), data.targets(np.arange(len(users))))


def test_ranks_score_disjoint_slices_of_the_held_out_users() -> None:
    config = Config(data=DataConfig(batch_size=8, **SMALL))
    whole = build_loaders(config, torch.device("cpu")).val.tensors[0]
    slices = [
        build_loaders(config, torch.device("cpu"), Distributed(r, r, 2)).val for r in range(2)
    ]
    for rank, val in enumerate(slices):
        assert torch.equal(val.tensors[0], whole[rank::2])
        users, targets = next(iter(val))
        assert torch.equal(users, whole[rank::2][:8]) and len(targets) == 8


def test_a_csv_log_trains_with_its_own_ids(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    rows = [f"shopper-{u},sku-{(u * 3 + i) % 25:03d},{i * 60}" for u in range(30) for i in range(6)]
    log.write_text("user_id,item_id,timestamp\n" + "\n".join(rows) + "\n")
    config = Config(data=DataConfig(source=str(log), batch_size=8))
    loaders = build_loaders(config, torch.device("cpu"))
    catalog = loaders.data.catalog
    assert len(catalog.users) == 30 and catalog.items[:2] == ["sku-000", "sku-001"]
    # Each user's latest item (20 % of 6, rounded) is held out; the other five train.
    assert len(loaders.data.train_users) == 30 * 5


def test_a_missing_source_is_one_line(tmp_path: Path) -> None:
    config = Config(data=DataConfig(source=str(tmp_path / "nowhere.csv")))
    with pytest.raises(ConfigError, match="does not exist") as error:
        build_loaders(config, torch.device("cpu"))
    assert "\n" not in str(error.value)
