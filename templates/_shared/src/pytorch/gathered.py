"""Held-out outputs kept whole for scores that are not sums over batches (AUC ranks every row,
macro-F1 counts every class): each rank keeps its outputs and labels on the CPU, and an epoch's
scores are computed once over all ranks' rows together."""

from __future__ import annotations

import torch
from torch import Tensor

from .distributed import Distributed


class GatheredOutputs:
    def __init__(self) -> None:
        self.outputs: list[Tensor] = []
        self.labels: list[Tensor] = []

    def update(self, outputs: Tensor, labels: Tensor) -> None:
        self.outputs.append(outputs.float().cpu())
        self.labels.append(labels.cpu())

    def gathered(self, ctx: Distributed | None = None) -> tuple[Tensor, Tensor]:
        """Every rank's (outputs, labels), concatenated in rank order."""
        parts = [(self.outputs, self.labels)]
        if ctx is not None:
            parts = ctx.all_gather(parts[0])
        outputs = torch.cat([t for rank_outputs, _ in parts for t in rank_outputs])
        labels = torch.cat([t for _, rank_labels in parts for t in rank_labels])
        return outputs, labels
