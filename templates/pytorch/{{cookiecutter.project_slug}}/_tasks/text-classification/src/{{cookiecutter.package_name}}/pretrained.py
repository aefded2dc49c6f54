"""Fine-tuning a pretrained encoder (`model.pretrained`: a local directory or a Hugging Face hub
id) with `transformers`, the optional `pretrained` extra. The model keeps the project's contract:
token ids in (its own tokenizer's, padding masked out), logits out; its architecture travels in
every checkpoint, so export and predict rebuild it without the original directory (evaluate
re-reads the data, and with it the tokenizer, from `model.pretrained`). Loading it: `hub.py`."""

from __future__ import annotations

import json
from typing import Any

from torch import Tensor, nn

from .config_io import ConfigError
from .hub import load_pretrained, transformers_library
from .tokenizer import TextTokenizer


def pretrained_tokenizer(name: str) -> TextTokenizer:
    """The checkpoint's own (fast) tokenizer, in the project's wrapper."""
    tokenizer = load_pretrained(transformers_library().AutoTokenizer, name)
    if not tokenizer.is_fast or tokenizer.pad_token is None:
        raise ConfigError(
            f"model.pretrained = {name!r} needs a fast tokenizer with a padding token"
        )
    return TextTokenizer(tokenizer.backend_tokenizer, pad=tokenizer.pad_token)


class PretrainedClassifier(nn.Module):
    """A `transformers` sequence classifier behind the from-scratch encoder's interface."""

    def __init__(self, model: nn.Module, pad_id: int) -> None:
        super().__init__()
        self.model, self.pad_id = model, pad_id

    def forward(self, token_ids: Tensor) -> Tensor:
        attention_mask = (token_ids != self.pad_id).long()
        return self.model(input_ids=token_ids, attention_mask=attention_mask).logits

    @property
    def architecture(self) -> dict[str, Any]:
        """What rebuilds the model without its weights (JSON-safe)."""
        return json.loads(self.model.config.to_json_string())


def from_pretrained(
    name: str, num_classes: int, max_length: int, tokenizer: TextTokenizer
) -> PretrainedClassifier:
    """The pretrained encoder with a new head of `num_classes` outputs."""
    auto = transformers_library().AutoModelForSequenceClassification
    # A base encoder has no head, or one of another size: both are replaced, on purpose.
    model = load_pretrained(auto, name, num_labels=num_classes, ignore_mismatched_sizes=True)
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions is not None and max_length > positions:
        raise ConfigError(
            f"data.max_length = {max_length} is longer than {name!r} reads ({positions} tokens)"
        )
    return PretrainedClassifier(model, tokenizer.pad_id)


def from_architecture(
    architecture: dict[str, Any], tokenizer: TextTokenizer
) -> PretrainedClassifier:
    """The same model (its head included) with fresh weights, for a checkpoint's state to fill."""
    transformers = transformers_library()
    settings = dict(architecture)
    config = transformers.AutoConfig.for_model(settings.pop("model_type"), **settings)
    model = transformers.AutoModelForSequenceClassification.from_config(config)
    return PretrainedClassifier(model, tokenizer.pad_id)
