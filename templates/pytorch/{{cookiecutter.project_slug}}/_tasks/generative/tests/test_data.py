"""The images as tensors: the same split everywhere, each batch its own target, ranks disjoint."""

from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import build_loaders
from {{ cookiecutter.package_name }}.distributed import Distributed


def test_a_batch_is_its_own_target_in_unit_range(config: Config) -> None:
    loaders = build_loaders(config, torch.device("cpu"))
    images, targets = next(iter(loaders.train))
    assert images is targets or torch.equal(images, targets)
    size, channels = config.data.image_size, config.data.channels
    assert images.shape == (config.data.batch_size, channels, size, size)
    assert images.dtype == torch.float32 and images.min() >= 0 and images.max() <= 1


def test_the_split_is_the_same_every_time_and_the_ranks_share_the_held_out_images(
    config: Config,
) -> None:
    first = build_loaders(config, torch.device("cpu"))
    second = build_loaders(config, torch.device("cpu"))
    assert (first.val_images == second.val_images).all()
    ranks = [Distributed(rank=rank, world_size=2) for rank in range(2)]
    slices = [build_loaders(config, torch.device("cpu"), ctx).val for ctx in ranks]
    held = sum(len(batch[0]) for val in slices for batch in val)
    assert held == len(first.val_images)
