"""Prediction for the rows of CSV or Parquet files, with a run's checkpoint or its export.

The target column may be absent and extra columns are ignored; each feature column the model
was trained on must be there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .data import features
from .export import exported as exported_folder
from .serving import raw_inputs
from .signatures import SIGNATURE
from .table import Preprocessing, read_frame, softmax


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict:
    """A label and its probability, or a value, for every row of every input file."""
    frames = [(name, read_frame(Path(name))) for name in inputs]
    if exported:
        folder = exported_folder(run)
        source = folder / "saved_model"
        prep = Preprocessing.load(folder / "preprocessing.json")
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]

        def run_rows(frame: pd.DataFrame) -> list[dict]:
            outputs = serve(**{k: tf.constant(v) for k, v in raw_inputs(prep, frame).items()})
            return _decoded(outputs)
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, prep = load_trained_model(config, str(source))

        def run_rows(frame: pd.DataFrame) -> list[dict]:
            return prep.decode(model(features(prep, frame), training=False).numpy())

    predictions = []
    for name, frame in frames:
        prep.check_columns(frame, name)
        for i, decoded in enumerate(run_rows(frame)):
            predictions.append({"input": f"{name}:{i}", **decoded})
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}


def _decoded(outputs: dict[str, tf.Tensor]) -> list[dict]:
    """The signature's outputs as `Preprocessing.decode` gives them for a checkpoint."""
    if "value" in outputs:
        return [{"value": float(v)} for v in outputs["value"].numpy()]
    probabilities = softmax(outputs["logits"].numpy().astype(np.float64))
    names = [n.decode() for n in outputs["class_name"].numpy()]
    return [
        {"label": name, "probability": float(p.max())}
        for name, p in zip(names, probabilities, strict=True)
    ]
