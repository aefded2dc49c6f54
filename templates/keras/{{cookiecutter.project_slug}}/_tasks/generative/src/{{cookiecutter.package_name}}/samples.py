"""The grid of samples after every epoch: the same codes (drawn from trainer.seed alone) through
that epoch's decoder, as `samples/epoch-NNN.png` in the run, so a resumed run's grids are an
unbroken run's and the grids side by side show the model's progress."""

from __future__ import annotations

from pathlib import Path

from .batches import predict_all
from .callbacks import FullEpochCallback, StopOnSignal
from .pictures import write_grid
from .task import prior_codes, serving_model

SAMPLES_DIR = "samples"


class Samples(FullEpochCallback):
    def __init__(
        self, stopper: StopOnSignal, run: Path, count: int, seed: int, batch_size: int,
        devices: int,
    ) -> None:  # fmt: skip
        super().__init__(stopper)
        self.folder, self.count, self.seed = Path(run) / SAMPLES_DIR, count, seed
        self.batch_size, self.devices = batch_size, devices

    def epoch_done(self, epoch: int, logs: dict) -> None:
        if not self.count:
            return
        codes = prior_codes(self.count, self.model.latent_dim, self.seed)
        images = predict_all(serving_model(self.model), codes, self.batch_size, self.devices)
        write_grid(images, self.folder / f"epoch-{epoch + 1:03d}.png")
