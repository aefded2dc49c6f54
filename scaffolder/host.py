"""What the machine running `scaffold` has: a CUDA GPU, Apple silicon, which Python."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Host:
    accelerator: str  # "cuda", "mps" or "cpu": the template variable of the same name
    python_version: str  # "3.11"
    detail: str  # one line for the prompt

    def describe(self) -> str:
        return f"Python {self.python_version}; {self.detail}"


def detect() -> Host:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    forced = os.environ.get("SCAFFOLD_ACCELERATOR")  # lets CI and tests pin the answer
    if forced in ("cuda", "mps", "cpu"):
        return Host(forced, python, f"accelerator set to {forced} by SCAFFOLD_ACCELERATOR")
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return Host("mps", python, "Apple silicon (PyTorch MPS, tensorflow-metal, JAX METAL)")
    if Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi"):
        return Host("cuda", python, "NVIDIA GPU with a CUDA driver")
    return Host("cpu", python, "no GPU found; projects will install CPU builds")
