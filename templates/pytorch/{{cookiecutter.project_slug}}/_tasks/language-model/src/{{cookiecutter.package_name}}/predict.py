"""`predict`: a continuation of each prompt, sampled token by token (`sampling.py`) from a run's
checkpoint or its exported program, with the run's own tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import Config
from .inference import load_predictor
from .sampling import generate


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool,
    max_new_tokens: int = 100, temperature: float = 1.0, top_k: int = 50, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    model, task, source = load_predictor(run, checkpoint, exported)
    tokenizer = task.tokenizer

    def scores(window: np.ndarray) -> np.ndarray:
        return model(torch.from_numpy(window)).float().numpy()

    predictions = []
    for prompt in inputs:
        new = generate(scores, tokenizer.encode(prompt), task.context_length,
                       tokenizer.end_of_text, max_new_tokens, temperature, top_k, seed)  # fmt: skip
        predictions.append({"input": prompt, "completion": tokenizer.decode(new),
                            "num_tokens": len(new)})  # fmt: skip
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
