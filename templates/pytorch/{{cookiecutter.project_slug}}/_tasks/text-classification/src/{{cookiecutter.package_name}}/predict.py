"""`predict`: the model's class for every text (an argument, or each line of a file), from a
run's checkpoint or its exported program, encoded with the run's own tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .config import Config
from .corpus import read_inputs
from .data import encode
from .inference import load_predictor


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    model, task, source = load_predictor(run, checkpoint, exported)
    texts = read_inputs(inputs)
    size, max_length = config.data.batch_size, config.data.max_length
    # Each batch is padded only to its own longest text: the model ignores padding anyway.
    chunks = [
        model(encode(task.tokenizer, texts[i : i + size], max_length))
        for i in range(0, len(texts), size)
    ]
    probabilities = torch.cat(chunks).float().softmax(dim=1)
    best, index = probabilities.max(dim=1)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": text, "label": task.classes[int(i)], "probability": float(p)}
            for text, i, p in zip(texts, index, best, strict=True)
        ],
    }
