"""The tabular references' data: the template's own table code, imported from templates/_shared.

`templates/_shared/src/tasks/tabular/table.py` is framework-neutral (NumPy and pandas), so the
references load it as it is (with a stand-in for its `.errors` module) instead of re-implementing
the generator: the same seeded customer table, the same split (20 % held out by a seeded
permutation) and the same preprocessing fitted on the training rows.
"""

from __future__ import annotations

import numpy as np
from _common import shared_module


def load(num_samples: int, seed: int, val_fraction: float = 0.2):
    """(prep, train arrays, val arrays); arrays: float32 numbers with NaN, int64 ids, int64 labels."""
    table = shared_module("tabular", "table")
    split = table.load_split(
        "synthetic", target="target", objective="auto", num_samples=num_samples,
        val_fraction=val_fraction, seed=seed,
    )  # fmt: skip
    prep = split.prep

    def arrays(frame):
        return prep.numeric_values(frame), prep.category_ids(frame), prep.labels(frame)

    return prep, arrays(split.train), arrays(split.val)


def standardise(prep, numeric: np.ndarray) -> np.ndarray:
    """The model's input features, as the templates compute them inside the model: standardised
    numbers (0 where missing), then the missing indicators."""
    missing = np.isnan(numeric)
    values = np.where(missing, 0.0, (numeric - np.float32(prep.means)) / np.float32(prep.stds))
    return np.concatenate([values, missing], axis=1).astype(np.float32)
