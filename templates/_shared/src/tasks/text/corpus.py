"""Labelled texts in, a seeded split out: synthetic sentences, or a CSV, TSV or JSONL file, or a
folder with one sub-folder of `.txt` files per class.

Nothing here knows the framework. The same seed holds out the same texts in train, evaluate and
export and on every rank, and the classes are those of the training texts, so a checkpoint's
label names mean the same thing wherever it is loaded.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError

SUFFIXES = (".csv", ".tsv", ".jsonl")
# What each epoch can record, and the direction in which each one improves.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_accuracy": "max",
    "val_macro_f1": "max",
}

# The synthetic set: a review is positive or negative by its opinion words, and "not" before an
# opinion word turns it round, so word order matters and a bag of words cannot reach 100%.
_GOOD = ["good", "great", "excellent", "lovely", "superb", "pleasant", "delightful", "fine"]
_BAD = ["bad", "awful", "terrible", "poor", "dreadful", "boring", "horrible", "weak"]
_NEUTRAL = ["the", "film", "plot", "acting", "music", "ending", "cast", "story", "was", "and"]
_NEUTRAL += ["really", "quite", "a", "very", "this", "scene", "overall", "honestly"]
SYNTHETIC_CLASSES = ("negative", "positive")


def synthetic_texts(num_samples: int, seed: int) -> tuple[list[str], list[str]]:
    """Short reviews whose sentiment a small encoder learns in seconds."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(num_samples):
        positive = bool(rng.integers(0, 2))
        negated = rng.random() < 0.25
        opinion = _GOOD if positive != negated else _BAD
        words = list(rng.choice(_NEUTRAL, size=int(rng.integers(3, 9))))
        phrase = ["not", str(rng.choice(opinion))] if negated else [str(rng.choice(opinion))]
        at = int(rng.integers(0, len(words) + 1))
        texts.append(" ".join(words[:at] + phrase + words[at:]))
        labels.append(SYNTHETIC_CLASSES[int(positive)])
    return texts, labels


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _label(value: object) -> str | None:
    """A label cell as the class name it stands for: 1, 1.0 and "1" are one class."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _read_rows(path: Path, text_column: str, label_column: str) -> list[tuple[object, object]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix.lower() == ".jsonl":
                rows = []
                for number, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ConfigError(f"{path}:{number}: expected a JSON object per line")
                    rows.append(record)
            else:
                delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
                reader = csv.DictReader(handle, delimiter=delimiter)
                rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {_first_line(exc)}") from exc
    if not rows:
        raise ConfigError(f"{path} has no rows")
    for column, key in ((text_column, "data.text_column"), (label_column, "data.label_column")):
        if column not in rows[0]:
            shown = ", ".join(map(repr, list(rows[0])[:8]))
            raise ConfigError(f"{path} has no column {column!r} ({key}); it has {shown}")
    return [(row.get(text_column), row.get(label_column)) for row in rows]


def _read_folder(path: Path) -> list[tuple[object, object]]:
    """One sub-folder per class, one example per `.txt` file, in a fixed order."""
    rows: list[tuple[object, object]] = []
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for file in sorted(folder.glob("*.txt")):
            try:
                rows.append((file.read_text(encoding="utf-8"), folder.name))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"{file}: cannot read it as UTF-8 text: {_first_line(exc)}"
                ) from exc
    if not rows:
        raise ConfigError(f"{path} holds no class sub-folders with .txt files")
    return rows


def read_texts(
    source: str, *, text_column: str, label_column: str, num_samples: int, seed: int
) -> tuple[list[str], list[str]]:
    """The texts and their class names. Rows without text or label cannot be learned from and
    are dropped."""
    if source == "synthetic":
        return synthetic_texts(num_samples, seed)
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(f"data.source {str(path)!r} does not exist (or use 'synthetic')")
    if path.is_dir():
        rows = _read_folder(path)
    elif path.suffix.lower() in SUFFIXES:
        rows = _read_rows(path, text_column, label_column)
    else:
        raise ConfigError(f"{path}: expected a .csv, .tsv or .jsonl file, or a folder of classes")
    texts, labels = [], []
    for text, label in rows:
        name = _label(label)
        if isinstance(text, str) and text.strip() and name is not None:
            texts.append(text)
            labels.append(name)
    if len(texts) < 2:
        raise ConfigError(f"{path} has fewer than 2 texts with a label")
    return texts, labels


def class_order(names: set[str]) -> list[str]:
    """Numbers in numeric order (2 before 10), anything else alphabetically."""
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


@dataclass
class Corpus:
    """A text set's training and held-out halves, labels as indices into `classes`."""

    classes: list[str]
    train_texts: list[str]
    train_labels: np.ndarray
    val_texts: list[str]
    val_labels: np.ndarray


def load_corpus(
    source: str,
    *,
    text_column: str,
    label_column: str,
    num_samples: int,
    val_fraction: float,
    seed: int,
) -> Corpus:
    """The configured texts, split by a seeded shuffle; the classes are the training labels."""
    texts, labels = read_texts(
        source,
        text_column=text_column,
        label_column=label_column,
        num_samples=num_samples,
        seed=seed,
    )
    n = len(texts)
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
    classes = class_order({labels[i] for i in train_rows})
    if len(classes) < 2:
        raise ConfigError(f"{source}: the training texts hold only the class {classes[0]!r}")
    index = {name: i for i, name in enumerate(classes)}
    unseen = sorted({labels[i] for i in val_rows} - index.keys())
    if unseen:
        raise ConfigError(
            f"{source}: held-out texts have classes no training text has "
            f"({', '.join(unseen[:5])}); add examples of them or change data.val_fraction"
        )
    return Corpus(
        classes=classes,
        train_texts=[texts[i] for i in train_rows],
        train_labels=np.array([index[labels[i]] for i in train_rows], np.int64),
        val_texts=[texts[i] for i in val_rows],
        val_labels=np.array([index[labels[i]] for i in val_rows], np.int64),
    )


def read_inputs(inputs: list[str]) -> list[str]:
    """What `predict` classifies: each argument is a text, or a file whose lines are texts."""
    texts: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_file():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"{path}: cannot read it as UTF-8 text: {_first_line(exc)}"
                ) from exc
            texts.extend(line for line in lines if line.strip())
        elif item.strip():
            texts.append(item)
    if not texts:
        raise ConfigError("nothing to classify: give a text, or a file with one text per line")
    return texts
