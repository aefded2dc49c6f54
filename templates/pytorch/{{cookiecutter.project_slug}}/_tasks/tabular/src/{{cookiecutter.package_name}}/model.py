"""An MLP over raw table rows: the standardisation and the missing-value indicators are inside the
model, so the exported program takes the numbers as they are (NaN for missing)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict
from .table import Preprocessing


class TabularNet(nn.Module):
    """Takes `numeric` float32 [batch, n_numeric] (NaN: missing) and `categorical` int64
    [batch, n_categorical] (vocabulary index + 1; 0: missing or unseen)."""

    def __init__(
        self,
        prep: Preprocessing,
        hidden: list[int],
        dropout: float = 0.0,
        embedding_dim: int = 8,
    ) -> None:
        super().__init__()
        # Buffers, not parameters: the training split's statistics travel with the weights.
        self.register_buffer("means", torch.tensor(prep.means, dtype=torch.float32))
        self.register_buffer("stds", torch.tensor(prep.stds, dtype=torch.float32))
        self.embeddings = nn.ModuleList(
            nn.Embedding(len(vocabulary) + 1, embedding_dim) for vocabulary in prep.vocabularies
        )
        width = 2 * len(prep.numeric) + embedding_dim * len(prep.categorical)
        layers: list[nn.Module] = []
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(inplace=True), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, prep.num_outputs))
        self.mlp = nn.Sequential(*layers)

    def forward(self, numeric: Tensor, categorical: Tensor) -> Tensor:
        missing = torch.isnan(numeric)
        # Missing becomes the mean (0 once standardised); the indicator tells the two apart.
        standardised = torch.where(missing, 0.0, (numeric - self.means) / self.stds)
        parts = [standardised, missing.to(standardised.dtype)]
        parts += [embed(categorical[:, i]) for i, embed in enumerate(self.embeddings)]
        return self.mlp(torch.cat(parts, dim=1))


def build_model(config: Config, prep: Preprocessing) -> TabularNet:
    return TabularNet(
        prep,
        hidden=list(config.model.hidden),
        dropout=config.model.dropout,
        embedding_dim=config.model.embedding_dim,
    )


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> TabularNet:
    """The model a checkpoint was trained with (its own saved config and preprocessing), in eval
    mode."""
    prep = Preprocessing.from_dict(checkpoint["preprocessing"])
    model = build_model(from_dict(Config, checkpoint["config"]), prep)
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
