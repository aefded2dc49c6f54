"""What makes this a language model for the common training code: the run's tokenizer and context
length, the next-token cross-entropy, the held-out loss and perplexity over every held-out token,
the unigram baseline, and what goes with an export."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .corpus import unigram_perplexity
from .data import Split, load_split
from .errors import ConfigError, ProjectError
from .hub import keras_hub
from .pretrained import NAME, pretrained_tokenizer
from .pretrained import export_limit as pretrained_limit
from .task_config import DataConfig
from .tokenizer import BPETokenizer

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_WINDOWS = 4  # held-out windows the export is checked on
META_FILE = "language.json"  # the run's tokenizer and context length


@dataclass
class Meta:
    tokenizer: BPETokenizer
    context_length: int
    pretrained: str = ""  # model.pretrained of the run: its checkpoints hold KerasHub layers


def write_meta(run: Path, meta: Meta) -> None:
    saved = {"context_length": meta.context_length, "tokenizer": meta.tokenizer.to_str(),
             "end_of_text": meta.tokenizer.end_of_text, "pretrained": meta.pretrained}  # fmt: skip
    (Path(run) / META_FILE).write_text(json.dumps(saved) + "\n", encoding="utf-8")


def read_meta(run: Path) -> Meta:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    saved = json.loads(path.read_text(encoding="utf-8"))
    tokenizer = BPETokenizer.from_str(saved["tokenizer"], saved.get("end_of_text"))
    meta = Meta(tokenizer, saved["context_length"], saved.get("pretrained", ""))
    if meta.pretrained:
        keras_hub()  # the run's checkpoints hold KerasHub layers: refuse in one line without it
    return meta


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on, with the tokenizer learnt from its training documents or
    the pretrained model's own."""
    name = config.model.pretrained
    tokenizer, split = load_split(config.data, seed, pretrained_tokenizer(name) if name else None)
    split.meta = Meta(tokenizer, config.data.context_length, name)
    return split


def run_split(data: DataConfig, seed: int, trained_on: Meta) -> Split:
    """The split as the run's model reads it, refused (one line) if the documents now give
    another tokenizer or the context length changed. A pretrained model's tokenizer reads any
    text."""
    own = trained_on.tokenizer if trained_on.pretrained else None
    tokenizer, split = load_split(data, seed, own)
    if tokenizer.to_str() != trained_on.tokenizer.to_str():
        raise ConfigError(
            f"data.source {data.source!r} gives another tokenizer than the run was trained with: "
            "evaluate on the text the run was trained on"
        )
    if data.context_length != trained_on.context_length:
        raise ConfigError(
            f"the run was trained with data.context_length {trained_on.context_length}, not "
            f"{data.context_length}"
        )
    split.meta = trained_on
    return split


def loss(meta: Meta) -> keras.losses.Loss:
    # The mean over every position of every window; the scores are float32 under any policy.
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_metrics(meta: Meta) -> list[keras.metrics.Metric]:
    return []  # the held-out loss and perplexity say more


def metric_names(meta: Meta) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "perplexity"]


def score(scores: np.ndarray, targets: np.ndarray, meta: Meta) -> dict[str, float]:
    """The mean next-token cross-entropy over every held-out token, in float64, and its
    exponential."""
    flat = scores.reshape(-1, scores.shape[-1])
    shifted = flat - flat.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    value = float(-log_p[np.arange(len(flat)), targets.reshape(-1)].mean())
    return {"loss": value, "perplexity": math.exp(min(value, 700.0))}


def summary(split: Split) -> dict[str, Any]:
    train, val = split.streams
    vocab = split.meta.tokenizer.vocab_size
    unigram = {"perplexity": unigram_perplexity(train, val, vocab)}
    return {
        "vocab_size": vocab,
        "context_length": split.meta.context_length,
        "num_train_tokens": len(train),
        "num_val_tokens": len(val),
        "baselines": {"unigram": unigram},
    }


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_files(meta: Meta) -> dict[str, Any]:
    """Files written beside the artifact: tokenizer.json (Hugging Face `tokenizers` format) and
    generation.json (the context length and the end-of-text id)."""
    generation = {"context_length": meta.context_length}
    generation["end_of_text"] = meta.tokenizer.end_of_text
    return {"tokenizer": json.loads(meta.tokenizer.to_str()), "generation": generation}


def export_limit(model: keras.Model) -> int | None:
    """The longest input the export serves: the position table's length."""
    if model.name == NAME:
        return pretrained_limit(model)
    return int(model.get_layer("positions").context_length)


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: held-out windows at two batch sizes and
    two lengths."""
    windows = split.x_val[:ROUND_TRIP_WINDOWS]
    return [[windows], [windows[:1, : data.context_length // 2 + 1]]]
