from __future__ import annotations

import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_data
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint


def test_export_round_trip_on_held_out_users(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    state = load_checkpoint(run / BEST)
    assert json.loads(Path(result["catalog"]).read_text()) == state["catalog"]
    items = len(state["catalog"]["items"])
    assert result["outputs"] == {"scores": f"float32 [batch, {items}], one per catalogue item"}
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(state)
    users = torch.from_numpy(load_data(config.data, config.trainer.seed).val_users)
    for rows in (1, 9, len(users)):  # other batch sizes than the export's example
        with torch.no_grad():
            scores = program(users[:rows])
            torch.testing.assert_close(scores, model(users[:rows]), atol=1e-5, rtol=1e-5)
        assert scores.shape == (rows, items) and scores.dtype == torch.float32


def test_the_exported_batch_has_no_upper_bound(trained: tuple[Config, Path]) -> None:
    config, run = trained
    program = torch.export.load(Path(export(config, run)["pt2"])).module()
    users = torch.arange(1000) % 40
    assert program(users).shape == (1000, export(config, run)["num_items"])
