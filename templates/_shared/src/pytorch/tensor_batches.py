"""Data that fits in (device) memory, batched by index: no worker processes, no per-sample Python,
one gather per batch. Training follows `batches.EpochBatches` (seeded, resumable, per rank);
evaluation goes through the rows in turn."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from .batches import EpochBatches

Batch = tuple[torch.Tensor, ...]


class TensorBatches:
    """Rows of `tensors` (first dimension aligned) a batch at a time: in `order`, else in turn;
    `finish` reshapes each batch once gathered (e.g. trims padding)."""

    def __init__(
        self,
        tensors: Batch,
        batch_size: int,
        order: EpochBatches | None = None,
        finish: Callable[[Batch], Batch] | None = None,
    ) -> None:
        self.tensors, self.batch_size, self.order = tensors, batch_size, order
        self.finish = finish or (lambda batch: batch)

    def __len__(self) -> int:
        if self.order is not None:
            return len(self.order)
        return -(-len(self.tensors[0]) // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        if self.order is None:
            for first in range(0, len(self.tensors[0]), self.batch_size):
                yield self.finish(tuple(t[first : first + self.batch_size] for t in self.tensors))
            return
        for indices in self.order:
            index = torch.as_tensor(indices, device=self.tensors[0].device)
            yield self.finish(tuple(t[index] for t in self.tensors))
