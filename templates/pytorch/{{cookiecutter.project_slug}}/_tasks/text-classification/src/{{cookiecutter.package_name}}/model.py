"""A small pre-norm Transformer encoder from scratch: token and learned position embeddings,
blocks on `F.scaled_dot_product_attention` with padding masked out, a mean over the real tokens,
and a linear head. Padding a text further never changes its logits. With `model.pretrained` the
encoder is a pretrained one instead (`pretrained.py`)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict
from .pretrained import from_architecture, from_pretrained
from .tokenizer import PAD_ID, TextTokenizer


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, ff_dim: int, dropout: float) -> None:
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.ff = nn.Sequential(
            nn.Linear(dim, ff_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff_dim, dim)
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, attend: Tensor) -> Tensor:
        """`attend` [batch, 1, 1, length]: True where the key is a real token."""
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(batch, length, 3, self.heads, -1).unbind(2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [batch, heads, length, head_dim]
        p = self.dropout if self.training else 0.0
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=attend, dropout_p=p)
        x = x + self.drop(self.out(attended.transpose(1, 2).reshape(batch, length, dim)))
        return x + self.drop(self.ff(self.norm2(x)))


class TextEncoder(nn.Module):
    """Takes `token_ids` int64 [batch, length] (0: padding, at the end), any batch and any
    length up to `max_length`; returns logits [batch, num_classes]."""

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        max_length: int,
        dim: int = 64,
        heads: int = 4,
        layers: int = 2,
        ff_dim: int = 128,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, dim, padding_idx=PAD_ID)
        self.positions = nn.Embedding(max_length, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, ff_dim, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, token_ids: Tensor) -> Tensor:
        real = token_ids != PAD_ID  # [batch, length]
        # An embedding lookup, not a slice, so the exported length stays symbolic.
        where = torch.arange(token_ids.shape[1], device=token_ids.device)
        x = self.tokens(token_ids) + self.positions(where)
        attend = real[:, None, None, :]
        for block in self.blocks:
            x = block(x, attend)
        weights = real.unsqueeze(-1).to(x.dtype)
        pooled = (self.norm(x) * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(pooled)


def build_model(config: Config, tokenizer: TextTokenizer, num_classes: int) -> nn.Module:
    """The encoder `model` describes: from scratch, or `model.pretrained` with a new head."""
    m = config.model
    if m.pretrained:
        return from_pretrained(m.pretrained, num_classes, config.data.max_length, tokenizer)
    return TextEncoder(
        tokenizer.vocab_size,
        num_classes,
        max_length=config.data.max_length,
        dim=m.dim,
        heads=m.heads,
        layers=m.layers,
        ff_dim=m.ff_dim,
        dropout=m.dropout,
    )


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> nn.Module:
    """The model a checkpoint was trained with (its own saved config, tokenizer and classes,
    and a pretrained encoder's architecture), in eval mode, without the pretrained files."""
    tokenizer = TextTokenizer.from_str(checkpoint["tokenizer"])
    if "architecture" in checkpoint:
        model = from_architecture(checkpoint["architecture"], tokenizer)
    else:
        config = from_dict(Config, checkpoint["config"])
        model = build_model(config, tokenizer, len(checkpoint["classes"]))
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
