from __future__ import annotations

from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.utils import load_checkpoint


def test_export_round_trip(trained: Config) -> None:
    result = export(trained)
    assert result["max_abs_diff"] <= result["atol"]
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(load_checkpoint(trained.trainer.output_dir / "best.pt"))
    images = torch.rand(7, 1, 28, 28)  # another batch size than the export's example
    with torch.no_grad():
        torch.testing.assert_close(program(images), model(images), atol=1e-4, rtol=1e-4)
