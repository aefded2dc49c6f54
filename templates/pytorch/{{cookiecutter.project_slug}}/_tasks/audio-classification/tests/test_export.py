from __future__ import annotations

import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_audio
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint


def test_export_round_trip_on_held_out_clips(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    state = load_checkpoint(run / BEST)
    assert json.loads(Path(result["labels"]).read_text()) == result["classes"] == state["classes"]
    assert result["inputs"] == {"waveforms": "float32 [batch, 4000] at 8000 Hz"}
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(state)
    waves = torch.from_numpy(load_audio(config.data, config.trainer.seed).val_waves)
    for rows in (1, 9, len(waves)):  # other batch sizes than the export's example
        with torch.no_grad():
            torch.testing.assert_close(
                program(waves[:rows]), model(waves[:rows]), atol=1e-4, rtol=1e-4
            )


def test_the_exported_batch_has_no_upper_bound(trained: tuple[Config, Path]) -> None:
    config, run = trained
    program = torch.export.load(Path(export(config, run)["pt2"])).module()
    waves = torch.from_numpy(load_audio(config.data, config.trainer.seed).val_waves[[0] * 1000])
    assert program(waves).shape == (1000, 6)
