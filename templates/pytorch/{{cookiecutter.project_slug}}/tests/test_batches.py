"""The training order: new each epoch, from the seed and the epoch alone, split across ranks."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.batches import EpochBatches
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.distributed import Distributed


def epoch(batches: EpochBatches, number: int, start: int = 0) -> list[list[int]]:
    batches.set_epoch(number, start)
    return list(batches)


def test_each_epoch_has_its_own_order_from_the_seed_and_epoch_alone() -> None:
    batches = EpochBatches(100, 8, seed=3, ctx=Distributed())
    first, second = epoch(batches, 0), epoch(batches, 1)
    assert len(first) == len(batches) == 12  # the last 4 samples of each order are dropped
    assert all(len(b) == 8 for b in first)
    assert first != second  # reshuffled every epoch
    # The order depends on (seed, epoch) only: not on what was drawn before, nor on the instance.
    assert epoch(EpochBatches(100, 8, seed=3, ctx=Distributed()), 1) == second
    assert epoch(EpochBatches(100, 8, seed=4, ctx=Distributed()), 1) != second
    # Resuming at a step continues the same epoch.
    assert epoch(batches, 1, start=5) == second[5:]


def test_ranks_take_disjoint_slices_of_each_global_batch() -> None:
    ranks = [EpochBatches(100, 8, seed=0, ctx=Distributed(r, r, 2)) for r in range(2)]
    single = epoch(EpochBatches(100, 16, seed=0, ctx=Distributed()), 2)
    per_rank = [epoch(b, 2) for b in ranks]
    assert len(per_rank[0]) == len(per_rank[1]) == 6
    for step, batch in enumerate(single):
        assert per_rank[0][step] + per_rank[1][step] == batch


def test_a_batch_larger_than_the_training_set_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"data.batch_size = 32 x 4 processes"):
        EpochBatches(100, 32, seed=0, ctx=Distributed(0, 0, 4))
