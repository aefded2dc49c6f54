"""The corpus as token-id tensors, batched by index in `batches.EpochBatches` order. The ids sit
in (device) memory, padded once to the longest text; each batch is cut to its own longest text,
so short batches cost short attention."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from .batches import EpochBatches
from .config import Config
from .corpus import Corpus, load_corpus
from .distributed import Distributed
from .pretrained import pretrained_tokenizer
from .task_config import DataConfig
from .tensor_batches import Batch, TensorBatches
from .tokenizer import TextTokenizer


def load_texts(cfg: DataConfig, seed: int) -> Corpus:
    return load_corpus(
        cfg.source,
        text_column=cfg.text_column,
        label_column=cfg.label_column,
        num_samples=cfg.num_samples,
        val_fraction=cfg.val_fraction,
        seed=seed,
    )


def encode(tokenizer: TextTokenizer, texts: list[str], max_length: int) -> torch.Tensor:
    """int64 token ids [len(texts), longest]: what the model (and its export) takes."""
    return torch.from_numpy(tokenizer.encode(texts, max_length)).long()


def to_tensors(
    tokenizer: TextTokenizer,
    texts: list[str],
    labels: np.ndarray,
    max_length: int,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    ids = encode(tokenizer, texts, max_length)
    return ids.to(device), torch.from_numpy(labels).to(device)


def trim_padding(batch: Batch, pad_id: int) -> Batch:
    """Drop the columns that are padding in every row of the batch (padding is at the end)."""
    ids, labels = batch
    if ids.numel() == 0:
        return batch
    width = int((ids != pad_id).sum(dim=1).max().clamp(min=1))
    return ids[:, :width], labels


@dataclass
class Loaders:
    train: TensorBatches
    val: TensorBatches
    corpus: Corpus
    tokenizer: TextTokenizer
    batches: EpochBatches

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.batches.set_epoch(epoch, start)


def build_loaders(config: Config, device: torch.device, ctx: Distributed | None = None) -> Loaders:
    ctx, cfg, seed = ctx or Distributed(), config.data, config.trainer.seed
    corpus = load_texts(cfg, seed)
    pretrained = config.model.pretrained
    # Trained on the training texts only, the same on every rank; or the pretrained model's own.
    if pretrained:
        tokenizer = pretrained_tokenizer(pretrained)
    else:
        tokenizer = TextTokenizer.train(corpus.train_texts, cfg.vocab_size)
    batches = EpochBatches(len(corpus.train_texts), cfg.batch_size, seed, ctx)
    train_tensors = to_tensors(
        tokenizer, corpus.train_texts, corpus.train_labels, cfg.max_length, device
    )
    # Each rank scores a disjoint slice (no padding); the metrics gather all slices.
    mine = slice(ctx.rank, None, ctx.world_size)
    val_tensors = to_tensors(
        tokenizer, corpus.val_texts[mine], corpus.val_labels[mine], cfg.max_length, device
    )
    trim = partial(trim_padding, pad_id=tokenizer.pad_id)
    return Loaders(
        train=TensorBatches(train_tensors, cfg.batch_size, batches, trim),
        val=TensorBatches(val_tensors, cfg.batch_size, finish=trim),
        corpus=corpus,
        tokenizer=tokenizer,
        batches=batches,
    )
