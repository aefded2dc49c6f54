"""`predict`: the class of each WAV file (and of each WAV file in a folder), from a run's checkpoint
or its exported program. The files are prepared as the training clips were: mono, resampled to
the run's `data.sample_rate`, the middle `data.clip_seconds` kept or padded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .clips import read_inputs
from .config import Config
from .inference import load_predictor


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    # Bad input fails before a model is loaded.
    names, waves = read_inputs(inputs, config.data.sample_rate, config.data.clip_seconds)
    model, task, source = load_predictor(run, checkpoint, exported)
    clips, size = torch.from_numpy(waves), config.data.batch_size
    logits = torch.cat([model(clips[i : i + size]) for i in range(0, len(clips), size)])
    probabilities, labels = logits.float().softmax(dim=1).max(dim=1)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": name, "label": task.classes[label], "probability": p}
            for name, label, p in zip(names, labels.tolist(), probabilities.tolist(), strict=True)
        ],
    }
