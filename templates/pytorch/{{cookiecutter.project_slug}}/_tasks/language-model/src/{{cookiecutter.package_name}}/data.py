"""The documents as token windows: the tokenizer is learnt from the training documents (the same
in every process), each split becomes one stream of ids with the end-of-text token between
documents, cut into windows of `data.context_length + 1` tokens held in (device) memory and
batched by index in `batches.EpochBatches` order. A batch is (inputs, targets): the windows'
first `context_length` tokens and the same shifted by one. A pretrained model brings its own
tokenizer and end-of-sequence token instead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .batches import EpochBatches
from .config import Config
from .corpus import Documents, load_documents, windows
from .distributed import Distributed
from .pretrained import pretrained_tokenizer
from .task_config import DataConfig
from .tensor_batches import TensorBatches
from .tokenizer import BPETokenizer


def load_texts(cfg: DataConfig, seed: int) -> Documents:
    return load_documents(cfg.source, cfg.num_documents, cfg.val_fraction, seed)


def pairs(stream: np.ndarray, length: int, split: str, device: torch.device) -> tuple:
    """(inputs, targets), int64 [N, length] each, of the stream's windows."""
    cut = torch.from_numpy(windows(stream, length, split)).to(device)
    return cut[:, :-1], cut[:, 1:]


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    tokenizer: BPETokenizer
    train_stream: np.ndarray  # int32 ids, for the unigram baseline
    val_stream: np.ndarray
    batches: EpochBatches

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    docs = load_texts(cfg, seed)
    # Learnt from the training documents only, the same on every rank and in every process; or
    # the pretrained model's own.
    if config.model.pretrained:
        tokenizer = pretrained_tokenizer(config.model.pretrained)
    else:
        tokenizer = BPETokenizer.train(docs.train, cfg.vocab_size)
    train, val = tokenizer.stream(docs.train), tokenizer.stream(docs.val)
    inputs, targets = pairs(train, cfg.context_length, "training", device)
    batches = EpochBatches(len(inputs), cfg.batch_size, seed, ctx)
    # Each rank scores a disjoint slice of the held-out windows (no padding); the sums add up.
    val_inputs, val_targets = pairs(val, cfg.context_length, "held-out", device)
    mine = slice(ctx.rank, None, ctx.world_size)
    return Loaders(
        train=TensorBatches((inputs, targets), cfg.batch_size, batches),
        val=TensorBatches((val_inputs[mine], val_targets[mine]), cfg.batch_size),
        tokenizer=tokenizer,
        train_stream=train,
        val_stream=val,
        batches=batches,
    )
