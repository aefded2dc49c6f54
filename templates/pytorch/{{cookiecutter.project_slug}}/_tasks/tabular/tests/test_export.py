from __future__ import annotations

import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_table, to_tensors
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint


def test_export_round_trip_on_raw_rows(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    state = load_checkpoint(run / BEST)
    assert json.loads(Path(result["preprocessing"]).read_text()) == state["preprocessing"]
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(state)
    table = load_table(config.data, config.trainer.seed)
    for rows in (1, 7, len(table.val)):  # other batch sizes than the export's example
        numeric, categorical, _ = to_tensors(table.prep, table.val.iloc[:rows])
        with torch.no_grad():
            torch.testing.assert_close(
                program(numeric, categorical), model(numeric, categorical), atol=1e-4, rtol=1e-4
            )


def test_the_exported_batch_has_no_upper_bound(trained: tuple[Config, Path]) -> None:
    config, run = trained
    program = torch.export.load(Path(export(config, run)["pt2"])).module()
    table = load_table(config.data, config.trainer.seed)
    numeric, categorical, _ = to_tensors(table.prep, table.val.iloc[[0] * 5000])
    assert program(numeric, categorical).shape == (5000, len(table.prep.classes))
