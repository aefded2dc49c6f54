"""A small convolutional variational autoencoder (about 0.2M parameters at the defaults). The
encoder halves the image once per width and maps it to the mean and log-variance of a Gaussian
code; the decoder maps a code back up through the same widths in reverse to per-pixel logits."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import torch
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict


def _down(cin: int, cout: int) -> nn.Module:
    # 4x4 with stride 2 and padding 1 halves the size exactly, with no uneven border.
    return nn.Sequential(nn.Conv2d(cin, cout, 4, stride=2, padding=1), nn.SiLU())


def _up(cin: int, cout: int) -> nn.Module:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.SiLU())


class Decoder(nn.Module):
    """Codes float32 [batch, latent_dim] to pixel logits [batch, channels, size, size]."""

    def __init__(self, channels: int, size: int, widths: list[int], latent_dim: int) -> None:
        super().__init__()
        self.shape = (widths[-1], size >> len(widths), size >> len(widths))
        self.project = nn.Linear(latent_dim, widths[-1] * self.shape[1] * self.shape[2])
        ups = [_up(a, b) for a, b in pairwise(widths[::-1])]
        self.ups = nn.Sequential(*ups, _up(widths[0], widths[0]))
        self.out = nn.Conv2d(widths[0], channels, 3, padding=1)

    def forward(self, z: Tensor) -> Tensor:
        h = torch.nn.functional.silu(self.project(z)).unflatten(1, self.shape)
        return self.out(self.ups(h))


class Sampler(nn.Module):
    """The decoder with its logits turned into probabilities: what the export holds and `predict`
    runs, codes in, images in [0, 1] out."""

    def __init__(self, decoder: Decoder) -> None:
        super().__init__()
        self.decoder = decoder

    def forward(self, z: Tensor) -> Tensor:
        return torch.sigmoid(self.decoder(z).float())


class VAE(nn.Module):
    """forward(images) returns (logits, mean, log-variance). In training the code is sampled from
    q(z|x) (the reparameterisation trick, so gradients flow through it); in eval mode it is the
    mean, so a validation pass is deterministic and `evaluate` reproduces training's figures."""

    def __init__(self, channels: int, size: int, widths: list[int], latent_dim: int) -> None:
        super().__init__()
        chans = [channels, *widths]
        self.encoder = nn.Sequential(*[_down(a, b) for a, b in pairwise(chans)], nn.Flatten())
        flat = widths[-1] * (size >> len(widths)) ** 2
        self.to_code = nn.Linear(flat, 2 * latent_dim)
        self.decoder = Decoder(channels, size, widths, latent_dim)

    def forward(self, images: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        mean, log_var = self.to_code(self.encoder(images)).chunk(2, dim=-1)
        z = mean
        if self.training:
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        return self.decoder(z), mean, log_var

    def sampler(self) -> Sampler:
        sampler = Sampler(self.decoder)
        # The VAE's mode, set on the wrapper alone: .eval() would recurse into the shared decoder.
        sampler.training = self.training
        return sampler


def build_model(config: Config) -> VAE:
    d, m = config.data, config.model
    return VAE(d.channels, d.image_size, list(m.widths), m.latent_dim)


def model_from_checkpoint(checkpoint: dict[str, Any], device: torch.device | str = "cpu") -> VAE:
    """The model a checkpoint was trained with (its own saved config), in eval mode."""
    model = build_model(from_dict(Config, checkpoint["config"]))
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
