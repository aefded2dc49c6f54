"""Class predictions for WAV files, from a run's checkpoint or its export.

Each input is a WAV file, or a folder whose WAV files are all classified. They are read as the
training clips were (mono, resampled to `data.sample_rate`, cut or padded to `data.clip_seconds`)
and go through the model `data.batch_size` clips at a time; the model computes its own features.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .clips import read_inputs
from .config import Config
from .export import load_predictor
from .task import read_meta


def probabilities(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype="float64")
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    class_names = read_meta(run)
    names, waves = read_inputs(inputs, config.data.sample_rate, config.data.clip_seconds)
    predictor, source = load_predictor(run, checkpoint, exported)
    size = config.data.batch_size
    predictions = []
    for start in range(0, len(names), size):
        batch = probabilities(predictor([waves[start : start + size]]))
        for name, p in zip(names[start : start + size], batch, strict=True):
            label = class_names[int(p.argmax())]
            predictions.append({"input": name, "label": label, "probability": float(p.max())})
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
