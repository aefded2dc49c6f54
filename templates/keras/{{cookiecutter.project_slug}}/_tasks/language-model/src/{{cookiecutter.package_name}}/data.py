"""The documents as token windows: the tokenizer is learnt from the training documents (the same in
every process) or is a pretrained model's own; each split becomes one stream of ids with the
end-of-text token between documents, cut into windows of `data.context_length + 1` tokens. A
sample is (inputs, targets): a window's first `context_length` tokens and the same shifted by
one, int32 arrays every backend reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .corpus import load_documents, windows
from .task_config import DataConfig
from .tokenizer import BPETokenizer


@dataclass
class Split:
    x_train: np.ndarray  # int32 [N, context_length]: the windows' inputs
    y_train: np.ndarray  # int32 [N, context_length]: the next token at every position
    x_val: np.ndarray
    y_val: np.ndarray
    meta: Any  # the run's `task.Meta`
    streams: tuple[np.ndarray, np.ndarray]  # the training and held-out ids, for the baseline


def pairs(stream: np.ndarray, length: int, split: str) -> tuple[np.ndarray, np.ndarray]:
    cut = windows(stream, length, split).astype(np.int32)
    return cut[:, :-1], cut[:, 1:]


def load_split(
    cfg: DataConfig, seed: int, tokenizer: BPETokenizer | None = None
) -> tuple[BPETokenizer, Split]:
    """The windows of both splits, encoded by `tokenizer` (a pretrained model's own) or by one
    learnt from the training documents, and that tokenizer."""
    docs = load_documents(cfg.source, cfg.num_documents, cfg.val_fraction, seed)
    tokenizer = tokenizer or BPETokenizer.train(docs.train, cfg.vocab_size)
    train, val = tokenizer.stream(docs.train), tokenizer.stream(docs.val)
    x_train, y_train = pairs(train, cfg.context_length, "training")
    x_val, y_val = pairs(val, cfg.context_length, "held-out")
    return tokenizer, Split(x_train, y_train, x_val, y_val, None, (train, val))
