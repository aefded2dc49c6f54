"""Documents in for the language model, framework-free: seeded synthetic stories or UTF-8 text
files in, a held-out split of whole documents, the token windows a model trains on, and the
unigram baseline its perplexity must beat.

The same source and seed give the same split in train, evaluate and export and on every rank.
Every refusal is one `ConfigError` line that names the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError

SUFFIXES = (".txt", ".md")
PARAGRAPH = re.compile(r"\n\s*\n")

# A small world whose facts never change (who lives where, what each animal eats), told in a
# few sentence shapes in a seeded order: a model that learns the facts predicts most words.
_PEOPLE = {
    "anna": "the mill", "ben": "the harbour", "cleo": "the forest", "dev": "the school",
    "ema": "the bakery", "finn": "the bridge", "gus": "the castle", "hana": "the farm",
}  # fmt: skip
_ANIMALS = {"cat": "fish", "dog": "bones", "horse": "hay", "rabbit": "carrots", "bird": "seeds",
            "goat": "grass"}  # fmt: skip
_COLOURS = ("red", "blue", "green", "yellow", "white", "black")
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass
class Documents:
    train: list[str]
    val: list[str]


def _sentence(rng: np.random.Generator, person: str) -> str:
    kind = rng.integers(4)
    if kind == 0:
        return f"{person} lives near {_PEOPLE[person]}."
    animal = list(_ANIMALS)[rng.integers(len(_ANIMALS))]
    if kind == 1:
        return f"{person} has a {_COLOURS[rng.integers(len(_COLOURS))]} {animal}."
    if kind == 2:
        return f"the {animal} eats {_ANIMALS[animal]}."
    start = int(rng.integers(len(_NUMBERS) - 3))
    return f"{person} counts {', '.join(_NUMBERS[start : start + 4])}."


def synthetic_documents(num: int, seed: int) -> list[str]:
    """Short stories of two to five sentences about one person each."""
    rng = np.random.default_rng(seed)
    people = list(_PEOPLE)
    stories = []
    for _ in range(num):
        person = people[rng.integers(len(people))]
        stories.append(" ".join(_sentence(rng, person) for _ in range(rng.integers(2, 6))))
    return stories


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        raise ConfigError(f"{path} is not UTF-8 text ({where}): save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror}") from None


def split_paragraphs(text: str) -> list[str]:
    """A file's documents: its paragraphs, or its lines when it has one paragraph only."""
    paragraphs = [p.strip() for p in PARAGRAPH.split(text) if p.strip()]
    if len(paragraphs) == 1:
        return [line.strip() for line in paragraphs[0].splitlines() if line.strip()]
    return paragraphs


def read_documents(source: str) -> list[str]:
    """Every document of a text file, or of every text file under a folder (sorted order)."""
    root = Path(source)
    if not root.exists():
        raise ConfigError(f"data.source {source!r} does not exist; use 'synthetic', a text file "
                          "or a folder of them")  # fmt: skip
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
    )  # fmt: skip
    documents = [doc for path in files for doc in split_paragraphs(_read(path))]
    if len(documents) < 2:
        what = "text files" if root.is_dir() else "paragraphs or lines"
        raise ConfigError(
            f"data.source {source!r} holds {len(documents)} documents; at least 2 are needed "
            f"({what}: {', '.join(SUFFIXES)} files, paragraphs separated by blank lines)"
        )
    return documents


def load_documents(source: str, num: int, val_fraction: float, seed: int) -> Documents:
    """A seeded shuffle of the documents, then the last `val_fraction` (at least one) held out."""
    docs = synthetic_documents(num, seed) if source == "synthetic" else read_documents(source)
    order = np.random.default_rng(seed).permutation(len(docs))
    held = min(len(docs) - 1, max(1, round(len(docs) * val_fraction)))
    return Documents([docs[i] for i in order[:-held]], [docs[i] for i in order[-held:]])


def windows(stream: np.ndarray, length: int, split: str) -> np.ndarray:
    """int64 [N, length + 1]: the stream cut into consecutive windows, each one token longer than
    the context, so that a window's inputs are its first `length` tokens and its targets the same
    shifted by one. The last window that does not fill up is dropped."""
    count = (len(stream) - 1) // length
    if count < 1:
        raise ConfigError(
            f"the {split} documents hold {len(stream)} tokens, fewer than data.context_length + 1 "
            f"({length + 1}); lower data.context_length or give more text"
        )
    starts = np.arange(count)[:, None] * length
    return stream[starts + np.arange(length + 1)[None, :]].astype(np.int64)


def unigram_perplexity(train: np.ndarray, val: np.ndarray, vocab_size: int) -> float:
    """The held-out perplexity of a model that knows only how often each token occurs in the
    training stream (add-one smoothed): what a language model must beat to have learnt context."""
    counts = np.bincount(train, minlength=vocab_size).astype(np.float64) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(np.exp(-log_p[val].mean()))
