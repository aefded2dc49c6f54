"""The export takes token ids of any batch and any length up to the context, with the tokenizer
and the generation settings beside it."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.tokenizer import BPETokenizer


def test_the_program_scores_any_batch_and_length(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = export(config, run)
    settings = json.loads(Path(result["generation"]).read_text("utf-8"))
    tokenizer = BPETokenizer.load(Path(result["tokenizer"]))
    assert settings == {"context_length": 16, "end_of_text": tokenizer.end_of_text}
    program = torch.export.load(result["pt2"]).module()
    model = model_from_checkpoint(load_checkpoint(run / BEST))
    for batch, length in ((1, 16), (3, 5), (2, 2)):
        ids = torch.randint(tokenizer.vocab_size, (batch, length))
        with torch.no_grad():
            torch.testing.assert_close(program(ids), model(ids), atol=1e-5, rtol=1e-5)
