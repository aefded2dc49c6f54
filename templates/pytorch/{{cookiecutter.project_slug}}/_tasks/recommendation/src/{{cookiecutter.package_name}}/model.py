"""Two towers of id embeddings, a user's and an item's, compared by cosine similarity over a
temperature (about 48k parameters at the defaults). On ids alone a tower is its embedding table: an
MLP over one id learns nothing a wider table does not. Features (a user's country, an item's
category or text) would enter here, each tower encoding them beside its id embedding."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict


class TwoTowers(nn.Module):
    """forward(users) scores int64 user indices [batch] against the whole item table: float32
    [batch, items], what evaluation, `predict` and the export use. forward(users, items) scores
    a training batch of pairs against the batch's own items: the in-batch logits [batch, batch],
    entry (b, c) the score of item c for user b."""

    def __init__(
        self, num_users: int, num_items: int, embedding_dim: int, temperature: float
    ) -> None:
        super().__init__()
        self.users = nn.Embedding(num_users, embedding_dim)
        self.items = nn.Embedding(num_items, embedding_dim)
        self.temperature = temperature

    def user_vectors(self, users: Tensor) -> Tensor:
        return F.normalize(self.users(users), dim=-1)

    def item_vectors(self, items: Tensor | None = None) -> Tensor:
        """The unit vectors of `items`, or of every item: the table an approximate nearest
        neighbour index would hold."""
        return F.normalize(self.items.weight if items is None else self.items(items), dim=-1)

    def forward(self, users: Tensor, items: Tensor | None = None) -> Tensor:
        # Always float32: in bf16 a cosine keeps about 3 significant digits, enough to reorder
        # close items in a top 10, and the towers are lookups and one narrow matrix product, so
        # autocast would save next to nothing.
        with torch.autocast(users.device.type, enabled=False):
            return self.user_vectors(users) @ self.item_vectors(items).T / self.temperature


def build_model(config: Config, num_users: int, num_items: int) -> TwoTowers:
    m = config.model
    return TwoTowers(num_users, num_items, m.embedding_dim, m.temperature)


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> TwoTowers:
    """The model a checkpoint was trained with (its own saved config and catalogue), in eval
    mode."""
    catalog = checkpoint["catalog"]
    config = from_dict(Config, checkpoint["config"])
    model = build_model(config, len(catalog["users"]), len(catalog["items"]))
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
