"""Predictions for the rows of CSV or Parquet files, from a run's checkpoint or its export.

The rows are raw: the run's preprocessing (fitted on its training rows) turns them into the
model's inputs. The target column may be absent and extra columns are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .data import features
from .export import load_predictor
from .table import read_frame
from .task import read_meta


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    prep = read_meta(run)
    frames = []
    for name in inputs:
        frame = read_frame(Path(name))
        prep.check_columns(frame, name)
        frames.append(frame)
    predictor, source = load_predictor(run, checkpoint, exported)
    predictions = []
    for name, frame in zip(inputs, frames, strict=True):
        outputs = np.asarray(predictor(list(features(prep, frame))))
        for row, decoded in enumerate(prep.decode(outputs)):
            predictions.append({"input": f"{name}:{row}", **decoded})
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
