from __future__ import annotations

import sys

import pytest

from scaffolder import host


def test_forced_accelerator_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCAFFOLD_ACCELERATOR", "cuda")
    found = host.detect()
    assert found.accelerator == "cuda"
    assert found.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert "Python" in found.describe()


def test_apple_silicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCAFFOLD_ACCELERATOR")
    monkeypatch.setattr(host.sys, "platform", "darwin")
    monkeypatch.setattr(host.platform, "machine", lambda: "arm64")
    assert host.detect().accelerator == "mps"


def test_nvidia_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCAFFOLD_ACCELERATOR")
    monkeypatch.setattr(host.sys, "platform", "linux")
    monkeypatch.setattr(host.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    assert host.detect().accelerator == "cuda"


def test_plain_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCAFFOLD_ACCELERATOR")
    monkeypatch.setattr(host.sys, "platform", "linux")
    monkeypatch.setattr(host.shutil, "which", lambda name: None)
    monkeypatch.setattr(host.Path, "exists", lambda self: False)
    found = host.detect()
    assert found.accelerator == "cpu" and "no GPU" in found.detail
