"""What a set of images gives the common loop, evaluation and export: the negative ELBO (per-pixel
binary cross-entropy plus beta times the KL divergence from the prior), its parts as metrics, the
image shape that checkpoints and exports record, the mean-image baseline, and the per-epoch grid of
images decoded from fixed codes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .data import Loaders
from .distributed import Distributed
from .model import VAE, build_model
from .pictures import mean_image_loss, write_grid

SHAPE = "shape.json"  # beside an export: the code size and the image shape it decodes to
SAMPLES_DIR = "samples"  # inside the run directory: one grid per epoch

Outputs = tuple[Tensor, Tensor, Tensor]  # logits, mean, log-variance


def elbo_terms(outputs: Outputs, images: Tensor) -> tuple[Tensor, Tensor]:
    """Per image: the reconstruction loss (BCE summed over pixels) and KL(q(z|x) || N(0, I))
    summed over the code. In float32: a sum over thousands of pixels loses too much in bf16."""
    logits, mean, log_var = (t.float() for t in outputs)
    bce = F.binary_cross_entropy_with_logits(logits, images.float(), reduction="none")
    kl = -0.5 * (1 + log_var - mean.square() - log_var.exp()).sum(dim=1)
    return bce.flatten(1).sum(dim=1), kl


class ElboMetrics:
    """The loss and its two parts as sums over images, added up over batches, then over ranks."""

    def __init__(self, device: torch.device, beta: float) -> None:
        self.beta = beta
        self.sums = torch.zeros(3, dtype=torch.float64, device=device)  # reconstruction, kl, n

    def update(self, outputs: Outputs, images: Tensor) -> None:
        rec, kl = elbo_terms(outputs, images)
        self.sums += torch.stack([rec.sum(), kl.sum(), torch.tensor(len(images))]).double()

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        sums = self.sums
        if ctx is not None and ctx.enabled:
            sums = ctx.all_sum(sums)
        rec_sum, kl_sum, n = sums.tolist()
        rec, kl = rec_sum / max(n, 1.0), kl_sum / max(n, 1.0)
        return {"loss": rec + self.beta * kl, "reconstruction": rec, "kl": kl, "num_val": int(n)}


@dataclass
class Task:
    channels: int
    image_size: int
    latent_dim: int
    beta: float = 1.0
    loaders: Loaders | None = None  # the images, where loaded
    codes: Tensor | None = None  # the fixed codes of the per-epoch samples, once resolved

    input_names: ClassVar[list[str]] = ["codes"]
    output_name: ClassVar[str] = "images"
    dynamic_dims: ClassVar[tuple[int, ...]] = (0,)  # the batch

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        _, size, _, channels = loaders.train_images.shape
        return cls(channels, size, 0, loaders.beta, loaders)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        return cls(**state["images"])

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        return cls(**json.loads((export_dir / SHAPE).read_text("utf-8")))

    @property
    def metric_names(self) -> list[str]:
        return ["val_loss", "val_reconstruction", "val_kl"]

    def resolve(self, config: Config) -> None:
        """The code size, and the sample codes: drawn from trainer.seed alone, by a generator of
        their own, so every epoch's grid (a resumed run's too) decodes the same codes."""
        self.latent_dim = config.model.latent_dim
        count = config.model.samples_per_epoch
        generator = torch.Generator().manual_seed(config.trainer.seed)
        self.codes = torch.randn(count, self.latent_dim, generator=generator) if count else None

    def build_model(self, config: Config) -> nn.Module:
        return build_model(config)

    def loss(self, outputs: Outputs, images: Tensor) -> Tensor:
        rec, kl = elbo_terms(outputs, images)
        return (rec + self.beta * kl).mean()

    def metrics(self, device: torch.device) -> ElboMetrics:
        return ElboMetrics(device, self.beta)

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        shape = {"channels": self.channels, "image_size": self.image_size}
        shape["latent_dim"] = self.latent_dim
        return {"images": shape}

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        saved = state["images"]
        was, now = (saved["channels"], saved["image_size"]), (self.channels, self.image_size)
        if was != now:
            raise ConfigError(
                f"{where} was trained on {was[0]}-channel {was[1]}px images, but the data now "
                f"holds {now[0]}-channel {now[1]}px images (data.channels, data.image_size)"
            )

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"image_shape": [self.channels, self.image_size, self.image_size]}
        if self.loaders is not None:
            train, val = self.loaders.train_images, self.loaders.val_images
            result["num_train_images"], result["num_val_images"] = len(train), len(val)
            baseline = mean_image_loss(train, val)
            mean_image = {"reconstruction": baseline}
            result["baselines"] = {"mean_image": mean_image}
        return result

    @torch.no_grad()
    def write_samples(self, model: VAE, run: Path, epoch: int) -> Path | None:
        """The fixed codes decoded by this epoch's model, as samples/epoch-NNN.png."""
        if self.codes is None:
            return None
        device = next(model.parameters()).device
        images = images_last(model.sampler()(self.codes.to(device)))
        return write_grid(images, run / SAMPLES_DIR / f"epoch-{epoch:03d}.png")

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """Codes from the prior, the decoder's inputs at generation time."""
        return (torch.randn(batch, self.latent_dim, generator=generator),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        shape = export_dir / SHAPE
        shape.write_text(json.dumps(self.state()["images"]) + "\n", encoding="utf-8")
        c, s = self.channels, self.image_size
        return {
            "shape": str(shape),
            "inputs": {"codes": f"float32 [batch, {self.latent_dim}], drawn from N(0, I)"},
            "outputs": {"images": f"float32 [batch, {c}, {s}, {s}], pixel values in [0, 1]"},
        }


def images_last(images: Tensor) -> np.ndarray:
    """[N, C, H, W] to the channels-last NumPy array the PNG writers take."""
    return images.permute(0, 2, 3, 1).float().cpu().numpy()
