from __future__ import annotations

import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.train import count_parameters


def test_output_shape_and_size() -> None:
    model = build_model(Config(), num_classes=10)
    assert model(torch.rand(4, 1, 28, 28)).shape == (4, 10)
    assert 50_000 < count_parameters(model) < 150_000


def test_other_image_sizes_and_channels() -> None:
    config = Config()
    config.data.channels, config.data.image_size = 3, 40
    assert build_model(config, num_classes=5)(torch.rand(2, 3, 40, 40)).shape == (2, 5)


def test_the_smallest_image_size_the_config_allows_works() -> None:
    config = Config()
    config.data.image_size = 4
    assert build_model(config, num_classes=3)(torch.rand(2, 1, 4, 4)).shape == (2, 3)


def test_one_step_lowers_the_loss_on_a_fixed_batch() -> None:
    torch.manual_seed(0)
    config = Config()
    config.model.dropout = 0.0  # the same forward pass before and after the step
    model = build_model(config, num_classes=10).train()
    images, labels = torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    after = F.cross_entropy(model(images), labels)
    assert after.item() < before.item()
