"""Class predictions for texts, from a run's checkpoint or its export.

Each input is a text, or a file with one text per line. The run's own tokenizer encodes them (it
is never retrained here), one batch of `data.batch_size` texts at a time, each batch padded to its
own longest text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .corpus import read_inputs
from .export import load_predictor
from .task import read_meta


def probabilities(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype="float64")
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    meta = read_meta(run)
    texts = read_inputs(inputs)
    predictor, source = load_predictor(run, checkpoint, exported)
    size = config.data.batch_size
    predictions = []
    for start in range(0, len(texts), size):
        batch = texts[start : start + size]
        ids = meta.tokenizer.encode(batch, config.data.max_length)
        for text, p in zip(batch, probabilities(predictor([ids])), strict=True):
            label = meta.classes[int(p.argmax())]
            predictions.append({"input": text, "label": label, "probability": float(p.max())})
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
