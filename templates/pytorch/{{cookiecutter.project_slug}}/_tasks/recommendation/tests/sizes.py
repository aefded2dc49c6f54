"""The recommendation task's settings for fast tests (a few dozen users and items) and user ids to
predict for."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_data

# A run of a second or two on the CPU (`--set` values): 211 training pairs of 40 users and 30
# items, in 13 batches of 16.
SMALL = ["data.num_users=40", "data.num_items=30", "data.batch_size=16"]
# Three epochs of four steps, what the resume tests stop and continue: 105 training pairs of 24
# users in batches of 24, the ragged 9 dropped.
TINY = ["data.num_users=24", "data.num_items=20", "data.batch_size=24"]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.num_users=1", "data.num_users"),
    ("data.num_items=1", "data.num_items"),
    ("data.batch_size=1", "data.batch_size"),
    ("data.source=''", "data.source"),
    ("model.embedding_dim=0", "model.embedding_dim"),
    ("model.temperature=0", "model.temperature"),
    ("model.top_k=0", "model.top_k"),
    ("trainer.best_metric=val_loss", "trainer.best_mode"),
]


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """Three held-out users' ids, as `predict` takes them (`folder` is for the file tasks)."""
    data = load_data(config.data, config.trainer.seed)
    return [data.catalog.users[u] for u in data.val_users[:3]]
