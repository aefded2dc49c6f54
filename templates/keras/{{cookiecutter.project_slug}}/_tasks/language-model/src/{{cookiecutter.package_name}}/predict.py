"""`predict`: a continuation of each prompt, sampled token by token (`sampling.py`) from a run's
checkpoint or its export, with the run's own tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .export import load_predictor
from .sampling import generate
from .task import read_meta


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool,
    max_new_tokens: int = 100, temperature: float = 1.0, top_k: int = 50, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    meta = read_meta(run)
    predictor, source = load_predictor(run, checkpoint, exported)
    tokenizer = meta.tokenizer

    def scores(window: np.ndarray) -> np.ndarray:
        return predictor([window.astype(np.int32)])

    predictions = []
    for prompt in inputs:
        new = generate(scores, tokenizer.encode(prompt), meta.context_length,
                       tokenizer.end_of_text, max_new_tokens, temperature, top_k, seed)  # fmt: skip
        predictions.append({"input": prompt, "completion": tokenizer.decode(new),
                            "num_tokens": len(new)})  # fmt: skip
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
