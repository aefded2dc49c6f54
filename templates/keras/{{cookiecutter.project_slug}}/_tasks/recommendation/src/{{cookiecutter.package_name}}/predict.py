"""`predict`: the `model.top_k` best items for each user id, from a run's checkpoint or its export,
leaving out the items the user met in training. The model scores the user against every item of
the catalogue (brute force); the README says what to use instead for a catalogue too large for
that."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .errors import ProjectError
from .export import EXPORT_DIR, Predictor, load_predictor
from .interactions import Catalog
from .task import META_FILE, read_meta


def load_for(
    users: list[str], run: Path, checkpoint: Path | None, exported: bool
) -> tuple[Predictor, Path, Catalog, np.ndarray]:
    """`export.load_predictor`, once the catalogue that goes with the model knows every user id:
    an unknown id fails before a model is loaded."""
    if exported:
        path = Path(run) / EXPORT_DIR / META_FILE
        if not path.is_file():
            load_predictor(run, checkpoint, exported)  # refuses a run that was not exported
            raise ProjectError(f"{path.parent} has no {META_FILE}: export the run again")
        catalog = Catalog.from_dict(json.loads(path.read_text(encoding="utf-8")))
    else:
        catalog = Catalog.from_dict(read_meta(run))
    rows = catalog.user_rows(users)
    predictor, source = load_predictor(run, checkpoint, exported)
    return predictor, source, catalog, rows


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    predictor, source, catalog, rows = load_for(inputs, run, checkpoint, exported)
    size = config.data.batch_size
    scores = np.concatenate([predictor([rows[i : i + size]]) for i in range(0, len(rows), size)])
    best = catalog.top_k(scores, rows, config.model.top_k)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": user, "items": [{"item": item, "score": s} for item, s in items]}
            for user, items in zip(inputs, best, strict=True)
        ],
    }
