"""The texts, split into train and validation, as the token-id arrays the model takes.

`corpus.py` reads and splits the texts. A new run builds its tokenizer from the training texts
only (the same in every process), or takes a pretrained model's own; every later use of the run
(resume, evaluate, export) encodes with the run's saved tokenizer rather than building another,
and refuses texts other than the run's. Each split is one int32 array padded with the tokenizer's
padding id to its longest text: every training step has one shape, so neither XLA nor a
data-parallel mesh recompiles. NumPy arrays feed every Keras backend.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .corpus import Corpus, load_corpus
from .errors import ConfigError
from .task_config import DataConfig
from .tokenizer import TextTokenizer


@dataclass
class TextMeta:
    """What a run's inputs and outputs mean: its class names, its tokenizer (serialised), and a
    digest of the training texts and labels the tokenizer and the model learned from."""

    classes: list[str]
    tokenizer_json: str
    train_digest: str
    pretrained: str = ""  # model.pretrained of the run: its checkpoints hold a KerasHub backbone

    @cached_property
    def tokenizer(self) -> TextTokenizer:
        return TextTokenizer.from_str(self.tokenizer_json)


@dataclass
class Split:
    x_train: np.ndarray  # int32 token ids (texts, longest training text), then padding
    y_train: np.ndarray  # int32 class indices into meta.classes
    x_val: np.ndarray
    y_val: np.ndarray
    meta: TextMeta
    val_texts: list[str]  # the held-out texts, for the export's tokenizer check


def digest(corpus: Corpus) -> str:
    h = hashlib.sha256()
    for text, label in zip(corpus.train_texts, corpus.train_labels.tolist(), strict=True):
        h.update(f"{label}\t{len(text)}\t{text}".encode())
    return h.hexdigest()


def check_trained_on(corpus: Corpus, trained_on: TextMeta, source: str) -> None:
    """Refuse texts other than the run's: its tokenizer and classes would not fit them."""
    if corpus.classes != trained_on.classes or digest(corpus) != trained_on.train_digest:
        raise ConfigError(
            f"data.source {source!r} gives other training texts or classes than the run was "
            "trained with; use the data (and data.* settings) of the run"
        )


def load_split(
    cfg: DataConfig,
    seed: int,
    trained_on: TextMeta | None = None,
    pretrained: tuple[str, TextTokenizer] | None = None,
) -> Split:
    """The configured texts split by a seeded shuffle, encoded by a tokenizer trained on the
    training texts, by a pretrained model's own (`pretrained`: its name and tokenizer), or by
    the tokenizer of the run `trained_on` (whose texts they must be)."""
    corpus = load_corpus(
        cfg.source,
        text_column=cfg.text_column,
        label_column=cfg.label_column,
        num_samples=cfg.num_samples,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )
    if trained_on is None and pretrained is not None:
        name, tokenizer = pretrained
        meta = TextMeta(corpus.classes, tokenizer.to_str(), digest(corpus), name)
    elif trained_on is None:
        tokenizer = TextTokenizer.train(corpus.train_texts, cfg.vocab_size)
        meta = TextMeta(corpus.classes, tokenizer.to_str(), digest(corpus))
    else:
        check_trained_on(corpus, trained_on, cfg.source)
        meta = trained_on
    return Split(
        x_train=meta.tokenizer.encode(corpus.train_texts, cfg.max_length),
        y_train=corpus.train_labels.astype("int32"),
        x_val=meta.tokenizer.encode(corpus.val_texts, cfg.max_length),
        y_val=corpus.val_labels.astype("int32"),
        meta=meta,
        val_texts=corpus.val_texts,
    )
