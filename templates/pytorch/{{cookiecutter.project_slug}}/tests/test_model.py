from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.model import build_model, count_parameters
from {{ cookiecutter.package_name }}.precision import select_precision


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


def test_precision_auto_is_fp32_off_cuda_and_bf16_needs_native_support(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert select_precision("auto", torch.device("cpu")).name == "off"
    assert select_precision("bf16", torch.device("cpu")).name == "bf16"
    asked: list[bool] = []

    def emulated_only(including_emulation: bool = True) -> bool:
        asked.append(including_emulation)
        return including_emulation  # bf16 only through emulation, as on pre-Ampere GPUs

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", emulated_only)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "an old GPU")
    assert select_precision("auto", torch.device("cuda", 0)).name == "fp16"
    with pytest.raises(ConfigError, match="has no native bf16"):
        select_precision("bf16", torch.device("cuda", 0))
    assert asked and not any(asked)
