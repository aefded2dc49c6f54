"""What makes this a text classifier for the common training code: the run's tokenizer and class
names, the loss, the epoch scores and the baseline to beat, and what goes with an export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .data import Split, TextMeta, load_split
from .errors import ProjectError
from .hub import keras_hub, preset_limit
from .losses import cross_entropy
from .pretrained import pretrained_tokenizer
from .scores import majority_baseline
from .scores import score as text_score
from .task_config import DataConfig
from .tokenizer import TOKENIZER, TextTokenizer

if TYPE_CHECKING:
    from .config import Config

META_FILE = TOKENIZER  # trained on the training texts, saved with every run
CORPUS_FILE = "corpus.json"  # the class names in label order, a digest of the training texts
ROUND_TRIP_TEXTS = 16


def write_meta(run: Path, meta: TextMeta) -> None:
    (Path(run) / META_FILE).write_text(meta.tokenizer_json, encoding="utf-8")
    described = {"classes": meta.classes, "train_digest": meta.train_digest}
    if meta.pretrained:
        described["pretrained"] = meta.pretrained
    (Path(run) / CORPUS_FILE).write_text(json.dumps(described, indent=1) + "\n", encoding="utf-8")


def read_meta(run: Path) -> TextMeta:
    paths = [Path(run) / META_FILE, Path(run) / CORPUS_FILE]
    for path in paths:
        if not path.is_file():
            raise ProjectError(f"{run} has no {path.name}: was it trained to the end of an epoch?")
    tokenizer, described = (path.read_text(encoding="utf-8") for path in paths)
    corpus = json.loads(described)
    pretrained = corpus.get("pretrained", "")
    meta = TextMeta(corpus["classes"], tokenizer, corpus["train_digest"], pretrained)
    if meta.pretrained:
        keras_hub()  # the run's checkpoints hold KerasHub layers: refuse in one line without it
    return meta


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on: encoded by a tokenizer trained on its training texts, or
    by the pretrained model's own."""
    name = config.model.pretrained
    pretrained = (name, pretrained_tokenizer(name)) if name else None
    return load_split(config.data, seed, pretrained=pretrained)


def run_split(data: DataConfig, seed: int, trained_on: TextMeta) -> Split:
    """The split as the run's model reads it: encoded with the run's own tokenizer, refused
    (one line) if data.source no longer gives the texts and classes the run was trained on."""
    return load_split(data, seed, trained_on)


def loss(meta: TextMeta) -> keras.losses.Loss:
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_metrics(meta: TextMeta) -> list[keras.metrics.Metric]:
    return []  # the validation scores say more, computed on every held-out text


def metric_names(meta: TextMeta) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "accuracy", "macro_f1"]


def score(logits: np.ndarray, y: np.ndarray, meta: TextMeta) -> dict[str, float]:
    """Mean cross-entropy, accuracy and macro-F1 over every held-out text, in float64."""
    return {"loss": cross_entropy(logits, y), **text_score(logits, y)}


def summary(split: Split) -> dict[str, Any]:
    classes = split.meta.classes
    baselines = {"majority": majority_baseline(split.y_train, split.y_val, len(classes))}
    return {"num_classes": len(classes), "classes": classes, "baselines": baselines}


def export_files(meta: TextMeta) -> dict[str, Any]:
    """Files written beside the artifact, and (ONNX) into its metadata under the same keys."""
    return {"tokenizer": json.loads(meta.tokenizer_json), "labels": meta.classes}


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_limit(model: keras.Model) -> int | None:
    """The longest text (in tokens) the export serves: a pretrained backbone's position table.
    The encoder from scratch reads any length (its positions are clipped), so it has none."""
    return preset_limit(model.layers)


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: the held-out texts encoded by the
    tokenizer written beside it (which must give the training tokenizer's ids), at two batch
    sizes and two sequence lengths."""
    texts = split.val_texts[:ROUND_TRIP_TEXTS]
    written = TextTokenizer.load(Path(export_dir) / TOKENIZER)
    ids = written.encode(texts, data.max_length)
    if not np.array_equal(ids, split.meta.tokenizer.encode(texts, data.max_length)):
        raise ProjectError(f"{export_dir / TOKENIZER} encodes otherwise than the run's tokenizer")
    # Fewer texts, and three more pad columns: a dynamic shape and padding-invariance at once.
    shorter = np.pad(ids[:3], ((0, 0), (0, 3)))
    return [[ids], [shorter]]
