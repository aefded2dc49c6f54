"""A small decoder-only Transformer (about 0.46M parameters at the defaults): token and learned
position embeddings, pre-norm blocks of causal self-attention and a GELU MLP, a final norm, and
the output layer tied to the token embedding (the same matrix reads and writes tokens, which
saves a vocabulary-sized layer and trains better at this size). With `model.pretrained` the model
is a pretrained one instead (`pretrained.py`)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict
from .pretrained import from_architecture, from_pretrained, merged


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, ff_dim: int, dropout: float) -> None:
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, ff_dim), nn.GELU(), nn.Linear(ff_dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(dim, dim=-1)
        q, k, v = (t.view(batch, length, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        # is_causal: each position attends to itself and the positions before it only; the
        # fused kernel never builds the mask.
        attended = F.scaled_dot_product_attention(
            q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
        )
        x = x + self.drop(self.proj(attended.transpose(1, 2).reshape(batch, length, dim)))
        return x + self.drop(self.mlp(self.norm2(x)))


class LanguageModel(nn.Module):
    """token_ids int64 [batch, length <= context_length] -> logits [batch, length, vocab]: at
    each position, the scores of the token that follows."""

    def __init__(self, vocab_size: int, context_length: int, cfg: Any) -> None:
        super().__init__()
        self.context_length = context_length
        self.tokens = nn.Embedding(vocab_size, cfg.dim)
        self.positions = nn.Embedding(context_length, cfg.dim)
        self.blocks = nn.ModuleList(
            Block(cfg.dim, cfg.heads, cfg.ff_dim, cfg.dropout) for _ in range(cfg.layers)
        )
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, vocab_size, bias=False)
        self.head.weight = self.tokens.weight
        self.apply(_init)
        for block in self.blocks:  # residual branches start small, so depth does not blow up
            for layer in (block.proj, block.mlp[2]):
                nn.init.normal_(layer.weight, std=0.02 / (2 * cfg.layers) ** 0.5)

    def forward(self, token_ids: Tensor) -> Tensor:
        where = torch.arange(token_ids.shape[1], device=token_ids.device)
        x = self.tokens(token_ids) + self.positions(where)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def _init(module: nn.Module) -> None:
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


def build_model(config: Config, vocab_size: int) -> nn.Module:
    """The model `model` describes: from scratch, or `model.pretrained` to fine-tune."""
    if config.model.pretrained:
        return from_pretrained(config)
    return LanguageModel(vocab_size, config.data.context_length, config.model)


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> nn.Module:
    """The model a checkpoint was trained with (its own saved config and vocabulary, and a
    pretrained model's architecture, its adapters merged), in eval mode, without the pretrained
    files."""
    config = from_dict(Config, checkpoint["config"])
    if "architecture" in checkpoint:
        m = config.model
        model = from_architecture(checkpoint["architecture"], m.lora_rank, m.lora_alpha)
        model.load_state_dict(checkpoint["model"])
        return merged(model).to(device).eval()
    model = build_model(config, checkpoint["vocab_size"])
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
