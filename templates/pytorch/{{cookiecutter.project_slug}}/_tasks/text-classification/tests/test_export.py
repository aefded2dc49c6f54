from __future__ import annotations

from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import encode, load_texts
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer


def test_export_round_trip_with_its_tokenizer(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    state = load_checkpoint(run / BEST)
    assert result["classes"] == state["classes"]
    texts = load_texts(config.data, config.trainer.seed).val_texts[:9]
    written = TextTokenizer.load(Path(result["tokenizer"]))
    trained_tokenizer = TextTokenizer.from_str(state["tokenizer"])
    program = torch.export.load(Path(result["pt2"])).module()
    model = model_from_checkpoint(state)
    for rows in (1, 9):  # other batch sizes and other lengths than the export's example
        ids = encode(written, texts[:rows], config.data.max_length)
        torch.testing.assert_close(ids, encode(trained_tokenizer, texts[:rows], 64))
        wide = torch.nn.functional.pad(ids, (0, rows))
        with torch.no_grad():
            for x in (ids, wide):
                torch.testing.assert_close(program(x), model(x), atol=1e-4, rtol=1e-4)
