"""What a text corpus gives the common loop, evaluation and export for a language model: the
next-token cross-entropy, the held-out loss and perplexity as sums over every held-out token,
the tokenizer and context length that checkpoints and exports carry, and the unigram baseline."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .corpus import unigram_perplexity
from .data import Loaders
from .distributed import Distributed
from .model import build_model
from .pretrained import PretrainedLM
from .tokenizer import TOKENIZER, BPETokenizer

GENERATION = "generation.json"  # beside an export: the context length and the end-of-text id


def token_losses(logits: Tensor, targets: Tensor) -> Tensor:
    """The cross-entropy of each next token, in float32 whatever the autocast dtype."""
    return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), reduction="none")


class TokenMetrics:
    """The held-out loss as a sum over tokens, added up over batches, then over ranks: every
    token counts once, whatever the batch size or number of processes."""

    def __init__(self, device: torch.device) -> None:
        self.sums = torch.zeros(2, dtype=torch.float64, device=device)  # loss sum, tokens

    def update(self, logits: Tensor, targets: Tensor) -> None:
        losses = token_losses(logits, targets)
        self.sums += torch.stack([losses.sum().double(), torch.tensor(losses.numel()).double()])

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        sums = self.sums
        if ctx is not None and ctx.enabled:
            sums = ctx.all_sum(sums)
        total, count = sums.tolist()
        loss = total / max(count, 1.0)
        return {"loss": loss, "perplexity": math.exp(min(loss, 700.0)), "num_tokens": int(count)}


@dataclass
class Task:
    tokenizer: BPETokenizer
    context_length: int
    loaders: Loaders | None = None  # the token streams, where loaded
    architecture: dict[str, Any] | None = None  # a pretrained model's, once it is built

    input_names: ClassVar[list[str]] = ["token_ids"]
    output_name: ClassVar[str] = "logits"
    # Batch and length both stay symbolic in the export (a length up to the context length).
    dynamic_dims: ClassVar[tuple[int, ...]] = (0, 1)

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.tokenizer, loaders.train.tensors[0].shape[1], loaders)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        tokenizer = BPETokenizer.from_str(state["tokenizer"], state["end_of_text"])
        return cls(tokenizer, state["context_length"], architecture=state.get("architecture"))

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        generation = json.loads((export_dir / GENERATION).read_text(encoding="utf-8"))
        tokenizer = BPETokenizer.load(export_dir / TOKENIZER, generation["end_of_text"])
        return cls(tokenizer, generation["context_length"])

    @property
    def metric_names(self) -> list[str]:
        return ["val_loss", "val_perplexity"]

    def resolve(self, config: Config) -> None:
        """Nothing for the data to decide: the tokenizer travels in the state."""

    def build_model(self, config: Config) -> nn.Module:
        model = build_model(config, self.tokenizer.vocab_size)
        if isinstance(model, PretrainedLM):
            self.architecture = model.architecture
        return model

    def loss(self, logits: Tensor, targets: Tensor) -> Tensor:
        return token_losses(logits, targets).mean()

    def metrics(self, device: torch.device) -> TokenMetrics:
        return TokenMetrics(device)

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        tokenizer = self.tokenizer
        state: dict[str, Any] = dict(
            tokenizer=tokenizer.to_str(),
            vocab_size=tokenizer.vocab_size,
            end_of_text=tokenizer.end_of_text,
            context_length=self.context_length,
        )
        if self.architecture is not None:
            state["architecture"] = self.architecture
        return state

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        if state["tokenizer"] != self.tokenizer.to_str():
            raise ConfigError(
                f"{where} was trained with another tokenizer than the documents of data.source "
                "now give: evaluate on the text the run was trained on"
            )
        if state["context_length"] != self.context_length:
            raise ConfigError(
                f"{where} was trained with data.context_length {state['context_length']}, not "
                f"{self.context_length}"
            )

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"vocab_size": self.tokenizer.vocab_size,
                                  "context_length": self.context_length}  # fmt: skip
        if self.loaders is not None:
            train, val = self.loaders.train_stream, self.loaders.val_stream
            result["num_train_tokens"], result["num_val_tokens"] = len(train), len(val)
            unigram = {"perplexity": unigram_perplexity(train, val, self.tokenizer.vocab_size)}
            result["baselines"] = {"unigram": unigram}
        return result

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """Random ids: the whole context for even batch sizes, about half of it for odd ones,
        so the export's checks see two lengths."""
        length = self.context_length if batch % 2 == 0 else self.context_length // 2 + 1
        return (torch.randint(self.tokenizer.vocab_size, (batch, length), generator=generator),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        tokenizer, generation = export_dir / TOKENIZER, export_dir / GENERATION
        self.tokenizer.save(tokenizer)
        settings = {"context_length": self.context_length}
        settings["end_of_text"] = self.tokenizer.end_of_text
        generation.write_text(json.dumps(settings) + "\n", encoding="utf-8")
        length, vocab = self.context_length, self.tokenizer.vocab_size
        return {
            "tokenizer": str(tokenizer),
            "generation": str(generation),
            "inputs": {"token_ids": f"int64 [batch, length <= {length}]"},
            "outputs": {"logits": f"float32 [batch, length, {vocab}], the next token's scores"},
        }
