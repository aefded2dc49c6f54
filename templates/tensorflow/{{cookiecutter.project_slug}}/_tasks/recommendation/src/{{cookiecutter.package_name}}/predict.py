"""`predict USER_ID...`: the `model.top_k` best items for each user, from a run's checkpoint or
its exported SavedModel, leaving out the items the user met in training. The model scores the
user against every item of the catalogue (brute force); the README says what to use instead for
a catalogue too large for that."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, read_saved, resolve_checkpoint
from .config import Config
from .export import exported as exported_folder
from .interactions import Catalog
from .serving import CATALOG
from .signatures import SIGNATURE
from .task import spec_from_text


def _scorer(
    config: Config, run: Path, users: list[str], checkpoint: Path | None, exported: bool
) -> tuple[Callable[[np.ndarray], np.ndarray], Catalog, np.ndarray, Path]:
    """The model's scores as a function of user rows, its catalogue, the users' rows in it, and
    where the model came from. The ids are looked up before any model is loaded, so an unknown
    one fails at once."""
    if exported:
        folder = exported_folder(run)
        catalog = Catalog.from_dict(json.loads((folder / CATALOG).read_text(encoding="utf-8")))
        rows = catalog.user_rows(users)
        source = folder / "saved_model"
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]

        def scores(batch: np.ndarray) -> np.ndarray:
            return serve(users=tf.constant(batch))["scores"].numpy()

        return scores, catalog, rows, source
    source = Path(resolve_checkpoint(run, checkpoint))
    (text,) = read_saved(str(source), "spec")
    catalog = spec_from_text(text.decode()).catalog
    rows = catalog.user_rows(users)
    model, _ = load_trained_model(config, str(source))

    def checkpoint_scores(batch: np.ndarray) -> np.ndarray:
        return model(tf.constant(batch), training=False).numpy()

    return checkpoint_scores, catalog, rows, source


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict:
    """Each user's best-scored items that the user has not met, best first."""
    score, catalog, rows, source = _scorer(config, run, inputs, checkpoint, exported)
    size = config.data.batch_size
    scores = np.concatenate([score(rows[i : i + size]) for i in range(0, len(rows), size)])
    best = catalog.top_k(scores, rows, config.model.top_k)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": user, "items": [{"item": item, "score": s} for item, s in items]}
            for user, items in zip(inputs, best, strict=True)
        ],
    }
