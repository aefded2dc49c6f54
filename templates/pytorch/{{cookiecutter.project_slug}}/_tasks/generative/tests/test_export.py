"""The export is the decoder alone: codes in, images in [0, 1] out, any batch."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.export import export


def test_the_program_maps_codes_to_images(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    shape = json.loads(Path(result["shape"]).read_text("utf-8"))
    program = torch.export.load(result["pt2"]).module()
    for batch in (1, 7):
        images = program(torch.randn(batch, shape["latent_dim"]))
        size = shape["image_size"]
        assert images.shape == (batch, shape["channels"], size, size)
        assert images.dtype == torch.float32 and images.min() >= 0 and images.max() <= 1
