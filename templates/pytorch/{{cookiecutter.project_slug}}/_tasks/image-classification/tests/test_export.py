from __future__ import annotations

import copy
import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.train import train


def test_export_round_trip_with_its_label_map(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    labels = json.loads(Path(result["labels"]).read_text())
    assert labels == result["classes"] == [str(i) for i in range(10)]
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    images = torch.rand(7, 1, 28, 28)  # another batch size than the export's example
    with torch.no_grad():
        torch.testing.assert_close(program(images), model(images), atol=1e-4, rtol=1e-4)


def test_the_exported_batch_has_no_upper_bound(config: Config) -> None:
    config.data.image_size, config.model.widths, config.trainer.epochs = 4, [2], 1
    run = Path(train(copy.deepcopy(config))["run_dir"])
    program = torch.export.load(Path(export(config, run)["pt2"])).module()
    for batch in (1, 5000):
        assert program(torch.rand(batch, 1, 4, 4)).shape == (batch, 10)
