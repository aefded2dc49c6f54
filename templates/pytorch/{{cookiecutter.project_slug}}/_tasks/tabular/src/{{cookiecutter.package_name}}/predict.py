"""`predict`: the model's answer for every row of CSV or Parquet files, from a run's checkpoint or
its exported program. The files need the feature columns the model was trained on (any order);
the target and any other columns are ignored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from .config import Config
from .inference import load_predictor
from .table import Preprocessing, read_frame


def read_rows(paths: list[str], prep: Preprocessing) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every row's name (`file:row`, rows counted from 0) and its numeric and categorical inputs."""
    names, numeric, categorical = [], [], []
    for name in paths:
        frame = read_frame(Path(name))
        prep.check_columns(frame, name)
        numeric.append(prep.numeric_values(frame))
        categorical.append(prep.category_ids(frame))
        names += [f"{name}:{row}" for row in range(len(frame))]
    return names, np.concatenate(numeric), np.concatenate(categorical)


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    model, task, source = load_predictor(run, checkpoint, exported)
    names, numeric, categorical = read_rows(inputs, task.prep)
    numbers, ids = torch.from_numpy(numeric), torch.from_numpy(categorical)
    size = config.data.batch_size
    chunks = [model(numbers[i : i + size], ids[i : i + size]) for i in range(0, len(names), size)]
    outputs = torch.cat(chunks)
    decoded = task.prep.decode(outputs.float().numpy())
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [{"input": n, **d} for n, d in zip(names, decoded, strict=True)],
    }
