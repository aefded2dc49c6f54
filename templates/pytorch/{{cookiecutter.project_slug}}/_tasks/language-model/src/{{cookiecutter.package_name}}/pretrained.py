"""Fine-tuning a pretrained causal language model (`model.pretrained`: a local directory or a
Hugging Face hub id) with `transformers`, by default through LoRA adapters from `peft` (both in
the optional `pretrained` extra). The model keeps the project's contract: token ids in (its own
tokenizer's), the next token's scores out. Its architecture and the adapter settings travel in
every checkpoint, so export and predict rebuild it without the original directory; for them the
adapters are merged into the weights they adapt, and the exported program is a plain Transformer.
Loading it: `hub.py`."""

from __future__ import annotations

import json
import warnings
from typing import Any

from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .hub import INSTALL, load_pretrained, transformers_library
from .tokenizer import BPETokenizer


def pretrained_tokenizer(name: str) -> BPETokenizer:
    """The checkpoint's own (fast) tokenizer; its end-of-sequence token separates documents and
    ends a generation."""
    tokenizer = load_pretrained(transformers_library().AutoTokenizer, name)
    if not tokenizer.is_fast or tokenizer.eos_token_id is None:
        raise ConfigError(
            f"model.pretrained = {name!r} needs a fast tokenizer with an end-of-sequence token"
        )
    return BPETokenizer(tokenizer.backend_tokenizer, end_of_text=tokenizer.eos_token_id)


class PretrainedLM(nn.Module):
    """A `transformers` causal LM behind the from-scratch model's interface."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, token_ids: Tensor) -> Tensor:
        # Windows hold no padding, so no attention mask; no cache, since nothing reuses it.
        return self.model(input_ids=token_ids, use_cache=False).logits

    @property
    def architecture(self) -> dict[str, Any]:
        """What rebuilds the model without its weights (JSON-safe)."""
        return json.loads(self.model.config.to_json_string())


def with_adapters(model: nn.Module, rank: int, alpha: float) -> nn.Module:
    """LoRA adapters of `rank` on every linear layer but the output, the rest frozen; rank 0
    leaves every weight trainable."""
    if rank == 0:
        return model
    try:
        import peft
    except ImportError:
        raise ConfigError(f"model.lora_rank > 0 needs the peft library: {INSTALL}") from None
    conv1d = transformers_library().pytorch_utils.Conv1D
    settings = peft.LoraConfig(
        r=rank,
        lora_alpha=alpha,
        target_modules="all-linear",
        # GPT-2's layers store their weights transposed (`Conv1D`); LoRA must know.
        fan_in_fan_out=any(isinstance(m, conv1d) for m in model.modules()),
    )
    with warnings.catch_warnings():
        # peft asks transformers about gradient checkpointing under a name transformers deprecates.
        warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
        return peft.get_peft_model(model, settings)


def from_pretrained(config: Config) -> PretrainedLM:
    m = config.model
    model = load_pretrained(transformers_library().AutoModelForCausalLM, m.pretrained)
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions is not None and config.data.context_length > positions:
        raise ConfigError(
            f"data.context_length = {config.data.context_length} is longer than "
            f"{m.pretrained!r} reads ({positions} tokens)"
        )
    return PretrainedLM(with_adapters(model, m.lora_rank, m.lora_alpha))


def from_architecture(architecture: dict[str, Any], rank: int, alpha: float) -> PretrainedLM:
    """The same model (adapters included) with fresh weights, for a checkpoint's state to fill."""
    transformers = transformers_library()
    settings = dict(architecture)
    config = transformers.AutoConfig.for_model(settings.pop("model_type"), **settings)
    model = transformers.AutoModelForCausalLM.from_config(config)
    return PretrainedLM(with_adapters(model, rank, alpha))


def merged(model: PretrainedLM) -> PretrainedLM:
    """The adapters folded into their weights: the same function, without the adapter layers."""
    if hasattr(model.model, "merge_and_unload"):
        model.model = model.model.merge_and_unload()
    return model
