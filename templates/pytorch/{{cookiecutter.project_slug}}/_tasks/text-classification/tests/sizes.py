"""The text task's settings for fast tests (few texts, a narrow encoder) and a text file."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_texts

# A run of a few seconds on the CPU (`--set` values).
SMALL = ["data.num_samples=256", "data.batch_size=32", "model.dim=16", "model.ff_dim=32"]
# Three epochs of four steps with dropout, what the resume tests stop and continue: 77 training
# texts in batches of 16, the ragged 13 dropped.
TINY = ["data.num_samples=96", "data.batch_size=16", "model.dim=8", "model.heads=2"]
TINY += ["model.layers=1", "model.ff_dim=16", "model.dropout=0.3"]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.text_column=''", "data.text_column"),
    ("data.num_samples=1", "data.num_samples"),
    ("data.max_length=0", "data.max_length"),
    ("data.vocab_size=5", "data.vocab_size"),
    ("model.heads=3", "model.heads"),
    ("model.dropout=1.0", "model.dropout"),
]


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """A file of five held-out texts, one a line, as `predict` takes them."""
    corpus = load_texts(config.data, config.trainer.seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "texts.txt"
    path.write_text("\n".join(corpus.val_texts[:5]) + "\n", encoding="utf-8")
    return [str(path)]
