"""Mixed precision: which autocast dtype to train in, and whether gradients need loss scaling."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .config_io import ConfigError


@dataclass(frozen=True)
class Precision:
    dtype: torch.dtype | None  # None: plain fp32, autocast off

    @property
    def enabled(self) -> bool:
        return self.dtype is not None

    @property
    def needs_scaler(self) -> bool:
        # fp16 has a narrow exponent range: small gradients underflow without loss scaling.
        return self.dtype == torch.float16

    @property
    def name(self) -> str:
        return {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]

    def autocast(self, device: torch.device) -> torch.autocast:
        return torch.autocast(device.type, dtype=self.dtype, enabled=self.enabled)


def native_bf16(device: torch.device) -> bool:
    # Pre-Ampere GPUs emulate bf16, slower than fp16; only native support counts.
    return device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)


def select_precision(mode: str, device: torch.device) -> Precision:
    if mode == "auto":
        if device.type != "cuda":
            return Precision(None)
        return Precision(torch.bfloat16 if native_bf16(device) else torch.float16)
    if mode == "bf16" and device.type == "cuda" and not native_bf16(device):
        name = torch.cuda.get_device_name(device)
        raise ConfigError(
            f"trainer.mixed_precision = 'bf16' but {name} has no native bf16; use 'fp16' or 'auto'"
        )
    return Precision({"off": None, "bf16": torch.bfloat16, "fp16": torch.float16}[mode])
