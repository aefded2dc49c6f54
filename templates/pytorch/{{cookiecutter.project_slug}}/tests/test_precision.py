from __future__ import annotations

import pytest
import torch

from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.precision import select_precision


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
