"""The tabular task's settings for fast tests (small tables, a narrow network) and a table file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_table

# A run of a few seconds on the CPU (`--set` values).
SMALL = ["data.num_samples=256", "data.batch_size=32", "model.hidden=[16]"]
# Three epochs of four steps with dropout, what the resume tests stop and continue: 77 training
# rows in batches of 16, the ragged 13 dropped.
TINY = ["data.num_samples=96", "data.batch_size=16", "model.hidden=[8, 8]", "model.dropout=0.3"]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.objective=ranking", "data.objective"),
    ("data.target=''", "data.target"),
    ("data.num_samples=1", "data.num_samples"),
    ("model.hidden=[16, 0]", "model.hidden"),
    ("model.embedding_dim=0", "model.embedding_dim"),
    ("trainer.best_metric=val_auc", "trainer.best_mode"),
]


def write_table(path: Path, rows: int = 60, regression: bool = False) -> Path:
    """A CSV with a numeric and a categorical column (both with gaps), a constant column and a
    `label`: text classes, or a number for regression."""
    rng = np.random.default_rng(0)
    size = rng.normal(10, 3, rows)
    colour = rng.choice(["red", "green", "blue"], rows).astype(object)
    size[::7] = np.nan
    colour[::5] = None
    frame = pd.DataFrame({"size": size, "colour": colour, "note": "x"})
    frame["label"] = (size * 2.5 + 1) if regression else np.where(size > 10, "big", "small")
    frame.to_csv(path, index=False)
    return path


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """A Parquet file of five held-out rows as a user has them: no target, one column the model
    never saw. What `predict` takes."""
    table = load_table(config.data, config.trainer.seed)
    frame = table.val.iloc[:5].drop(columns=[config.data.target]).assign(extra=1)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / "rows.parquet")
    return [str(folder / "rows.parquet")]
