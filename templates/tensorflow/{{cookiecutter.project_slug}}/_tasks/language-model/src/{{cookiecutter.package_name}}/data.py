"""The documents as tf.data: read or made and split by `corpus.py`, tokenized once with a
byte-level BPE learnt from the training documents only, each split one stream of ids with the
end-of-text token between documents, cut into windows of `data.context_length + 1` tokens and
sliced from memory; `batches.py` shuffles, batches and prefetches them (AUTOTUNE). A sample is
(inputs, targets): a window's first `context_length` ids and the same shifted by one, int32."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from .batches import Datasets
from .corpus import load_documents, unigram_perplexity, windows
from .task import LanguageSpec
from .task_config import DataConfig
from .tokenizer import BPETokenizer

__all__ = ["Datasets", "Streams", "load_datasets", "load_streams", "pairs"]


@dataclass
class Streams:
    tokenizer: BPETokenizer
    train: np.ndarray  # the training documents' ids, one stream
    val: np.ndarray  # the held-out documents' ids


def load_streams(cfg: DataConfig, seed: int, tokenizer: BPETokenizer | None = None) -> Streams:
    """Both splits as ids, with `tokenizer`, or one learnt from the training documents."""
    docs = load_documents(cfg.source, cfg.num_documents, cfg.val_fraction, seed)
    tokenizer = tokenizer or BPETokenizer.train(docs.train, cfg.vocab_size)
    return Streams(tokenizer, tokenizer.stream(docs.train), tokenizer.stream(docs.val))


def pairs(stream: np.ndarray, length: int, split: str) -> tuple[np.ndarray, np.ndarray]:
    """int32 inputs and targets [N, length] of the stream's windows."""
    cut = windows(stream, length, split).astype(np.int32)
    return cut[:, :-1], cut[:, 1:]


def load_datasets(cfg: DataConfig, seed: int) -> Datasets:
    """The train and validation pipelines; the spec is the tokenizer and the context length."""
    streams = load_streams(cfg, seed)
    train = pairs(streams.train, cfg.context_length, "training")
    val = pairs(streams.val, cfg.context_length, "held-out")
    vocab = streams.tokenizer.vocab_size
    unigram = {"perplexity": unigram_perplexity(streams.train, streams.val, vocab)}
    summary = {
        "vocab_size": vocab,
        "context_length": cfg.context_length,
        "num_train_tokens": len(streams.train),
        "num_val_tokens": len(streams.val),
        "baselines": {"unigram": unigram},
    }
    return Datasets(
        samples=tf.data.Dataset.from_tensor_slices(train),
        val=tf.data.Dataset.from_tensor_slices(val),
        num_train=len(train[0]),
        num_val=len(val[0]),
        spec=LanguageSpec(streams.tokenizer.to_str(), cfg.context_length),
        batch_size=cfg.batch_size,
        shuffle_buffer=len(train[0]),  # every window is in memory: a full shuffle
        seed=seed,
        source=cfg.source,
        summary=summary,
    )
