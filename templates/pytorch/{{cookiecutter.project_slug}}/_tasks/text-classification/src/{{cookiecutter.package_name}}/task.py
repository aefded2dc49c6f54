"""What a text corpus gives the common loop, evaluation and export: cross-entropy, accuracy and
macro-F1 over every held-out text, and the tokenizer and classes checkpoints and exports carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .corpus import Corpus
from .data import Loaders, encode, load_texts
from .distributed import Distributed
from .gathered import GatheredOutputs
from .model import build_model
from .pretrained import PretrainedClassifier
from .scores import EPOCH_METRICS, majority_baseline, score
from .tokenizer import TOKENIZER, TextTokenizer

LABELS = "labels.json"  # beside an export: output i of the model is the logit of labels[i]


class TextMetrics(GatheredOutputs):
    """The loss and the scores over every held-out text. Macro-F1 is not a sum over batches, so
    the ranks gather their logits instead of adding up sums."""

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        outputs, labels = self.gathered(ctx)
        return {
            "loss": F.cross_entropy(outputs, labels).item(),
            **score(outputs.numpy(), labels.numpy()),
            "num_samples": len(labels),
        }


@dataclass
class Task:
    tokenizer: TextTokenizer
    classes: list[str]
    corpus: Corpus | None = None  # the training and held-out texts, where they were loaded
    architecture: dict[str, Any] | None = None  # a pretrained encoder's, once it is built

    input_names: ClassVar[list[str]] = ["token_ids"]
    output_name: ClassVar[str] = "logits"
    # Batch and sequence length both stay symbolic in the export.
    dynamic_dims: ClassVar[tuple[int, ...]] = (0, 1)

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.tokenizer, loaders.corpus.classes, loaders.corpus)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        tokenizer = TextTokenizer.from_str(state["tokenizer"])
        return cls(tokenizer, list(state["classes"]), architecture=state.get("architecture"))

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        classes = json.loads((export_dir / LABELS).read_text(encoding="utf-8"))
        return cls(TextTokenizer.load(export_dir / TOKENIZER), classes)

    @property
    def metric_names(self) -> list[str]:
        return list(EPOCH_METRICS)

    def resolve(self, config: Config) -> None:
        """Nothing for the data to decide: the tokenizer and classes travel in the state."""

    def build_model(self, config: Config) -> nn.Module:
        model = build_model(config, self.tokenizer, len(self.classes))
        if isinstance(model, PretrainedClassifier):
            self.architecture = model.architecture
        return model

    def loss(self, outputs: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(outputs, labels)

    def metrics(self, device: torch.device) -> TextMetrics:
        return TextMetrics()

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        state: dict[str, Any] = {"tokenizer": self.tokenizer.to_str(), "classes": self.classes}
        if self.architecture is not None:
            state["architecture"] = self.architecture
        return state

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        if state["classes"] != self.classes or state["tokenizer"] != self.tokenizer.to_str():
            raise ConfigError(
                f"{where} was trained on other classes or another tokenizer than data.source "
                "now gives"
            )

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"num_classes": len(self.classes)}
        if self.corpus is not None:
            c = self.corpus
            majority = majority_baseline(c.train_labels, c.val_labels, len(self.classes))
            result["baselines"] = {"majority": majority}
        return result

    def example_texts(self, config: Config, batch: int) -> list[str]:
        """The first held-out texts, repeated up to `batch`."""
        if self.corpus is None:
            self.corpus = load_texts(config.data, config.trainer.seed)
        texts = self.corpus.val_texts
        return [texts[i % len(texts)] for i in range(batch)]

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        # Rotated per batch size, so the checks see other texts and other padded lengths.
        texts = self.example_texts(config, batch + 1)[batch % 2 :][:batch]
        return (encode(self.tokenizer, texts, config.data.max_length),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        labels, tokenizer = export_dir / LABELS, export_dir / TOKENIZER
        labels.write_text(json.dumps(self.classes, indent=2) + "\n", encoding="utf-8")
        self.tokenizer.save(tokenizer)
        return {
            "tokenizer": str(tokenizer),
            "labels": str(labels),
            "classes": self.classes,
            "inputs": {"token_ids": "int64 [batch, length]"},
        }
