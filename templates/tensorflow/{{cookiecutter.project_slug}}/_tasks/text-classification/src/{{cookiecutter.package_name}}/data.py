"""The texts as tf.data: read and split by `corpus.py`, tokenized once with a WordPiece tokenizer
trained on the training texts only, then sliced from in-memory id tensors; `batches.py` shuffles,
batches and prefetches them (AUTOTUNE).

Each split is padded once to its longest text (at most data.max_length tokens), so every training
batch has one static shape: the compiled step traces once, and the model masks the padding.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .batches import Datasets
from .corpus import Corpus, load_corpus
from .scores import majority_baseline
from .task import TextSpec
from .task_config import DataConfig
from .tokenizer import TextTokenizer

__all__ = ["Datasets", "load_datasets", "load_split"]


def load_split(cfg: DataConfig, seed: int) -> Corpus:
    """The configured texts and their seeded train/held-out split (the same on every rank)."""
    return load_corpus(
        cfg.source,
        text_column=cfg.text_column,
        label_column=cfg.label_column,
        num_samples=cfg.num_samples,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def fit_spec(cfg: DataConfig, corpus: Corpus) -> TextSpec:
    """The classes and the tokenizer trained on the training texts only."""
    tokenizer = TextTokenizer.train(corpus.train_texts, cfg.vocab_size)
    return TextSpec(classes=corpus.classes, tokenizer_json=tokenizer.to_str())


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines; the spec is the classes and the tokenizer."""
    corpus = load_split(cfg, seed)
    spec = fit_spec(cfg, corpus)

    def samples(texts: list[str], labels: np.ndarray) -> tf.data.Dataset:
        ids = spec.tokenizer.encode(texts, cfg.max_length)
        # from_tensor_slices embeds the ids in the graph: fine for corpora up to a few hundred
        # MB of ids; larger ones belong in TFRecord shards streamed from disk.
        return tf.data.Dataset.from_tensor_slices((ids, labels))

    summary = {
        "class_names": corpus.classes,
        "num_classes": len(corpus.classes),
        "baselines": {
            "majority": majority_baseline(
                corpus.train_labels, corpus.val_labels, len(corpus.classes)
            )
        },
    }
    return Datasets(
        samples=samples(corpus.train_texts, corpus.train_labels),
        val=samples(corpus.val_texts, corpus.val_labels),
        num_train=len(corpus.train_texts),
        num_val=len(corpus.val_texts),
        spec=spec,
        batch_size=cfg.batch_size,
        shuffle_buffer=len(corpus.train_texts),  # every text is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
    )
