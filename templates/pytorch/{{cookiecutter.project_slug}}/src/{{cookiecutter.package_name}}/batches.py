"""Each epoch's training order, which a resumed run can repeat.

Each epoch's order is a permutation drawn from (seed, epoch) alone, never from a generator that
has advanced through earlier epochs, so `--resume` sees exactly the batches an unbroken run sees,
from any step inside any epoch.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from torch.utils.data import Sampler

from .config_io import ConfigError
from .distributed import Distributed


class EpochBatches(Sampler[list[int]]):
    """The training batches of one rank in one epoch.

    A permutation from (seed, epoch) is cut into global batches of batch_size * world_size samples,
    and each rank takes its own slice of every one. The incomplete last batch is dropped: every
    step then has one shape (torch.compile compiles once) and every rank the same number of steps
    (no rank waits in a collective that another never reaches). The order is new each epoch, so
    every sample is still seen. `set_epoch(epoch, start)` begins at step `start`, for resuming.
    """

    def __init__(self, num_samples: int, batch_size: int, seed: int, ctx: Distributed) -> None:
        self.num_samples, self.batch_size, self.seed, self.ctx = num_samples, batch_size, seed, ctx
        self.steps_per_epoch = num_samples // (batch_size * ctx.world_size)
        if self.steps_per_epoch == 0:
            per_step = f"data.batch_size = {batch_size}"
            if ctx.enabled:
                per_step += f" x {ctx.world_size} processes"
            raise ConfigError(
                f"{per_step} is more than the {num_samples} training samples; "
                "lower data.batch_size (it is per process)"
            )
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.epoch, self.start = epoch, start

    def order(self, epoch: int) -> np.ndarray:
        return np.random.default_rng((self.seed, epoch)).permutation(self.num_samples)

    def __len__(self) -> int:
        return self.steps_per_epoch - self.start

    def __iter__(self) -> Iterator[list[int]]:
        order = self.order(self.epoch)
        global_batch = self.batch_size * self.ctx.world_size
        for step in range(self.start, self.steps_per_epoch):
            first = step * global_batch + self.ctx.rank * self.batch_size
            yield order[first : first + self.batch_size].tolist()
