"""A log-mel front end and a small CNN over its spectrogram (about 27k parameters at the defaults).
The model takes raw waveforms, so its export does too and a caller needs no feature code."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from .config import Config
from .config_io import from_dict
from .melscale import mel_filterbank


class LogMel(nn.Module):
    """Waveforms float32 [batch, samples] -> log-mel spectrograms [batch, n_mels, frames], each
    standardised over all its bins, so the network sees the shape of a sound, not its loudness."""

    def __init__(self, sample_rate: int, n_fft: int, hop_length: int, n_mels: int) -> None:
        super().__init__()
        self.n_fft, self.hop_length = n_fft, hop_length
        # Rebuilt from the config, so not saved in checkpoints. The clone gives the window a
        # storage of its own (the periodic window is a view of a longer one), which torch.export
        # saves without a warning.
        window = torch.hann_window(n_fft, periodic=True).clone()
        self.register_buffer("window", window, persistent=False)
        bank = torch.from_numpy(mel_filterbank(sample_rate, n_fft, n_mels))
        self.register_buffer("bank", bank, persistent=False)  # [n_fft // 2 + 1, n_mels]

    # Inductor generates no code for complex tensors: with trainer.compile the front end runs
    # eagerly (a small share of a step) and the CNN after it is compiled. torch.export traces it.
    @torch.compiler.disable
    def forward(self, waves: Tensor) -> Tensor:
        # Always float32: under fp16 autocast the power spectrum, up to (n_fft / 2) ** 2, would
        # overflow, and the logarithm would lose the quiet bins. The front end is cheap.
        with torch.autocast(waves.device.type, enabled=False):
            spectrum = torch.stft(
                waves.float(),
                self.n_fft,
                self.hop_length,
                window=self.window,
                return_complex=True,
            )  # [batch, n_fft // 2 + 1, frames], reflect-padded so frames = 1 + samples // hop
            power = spectrum.abs().pow(2)
            logmel = torch.log(torch.matmul(power.transpose(1, 2), self.bank) + 1e-6)
            mean = logmel.mean(dim=(1, 2), keepdim=True)
            std = logmel.std(dim=(1, 2), keepdim=True)
            return ((logmel - mean) / (std + 1e-5)).transpose(1, 2)


def mask_bands(x: Tensor, most: int, dim: int) -> Tensor:
    """Zero (the mean, after standardising) a run of 0 to `most` rows along `dim` of each clip,
    at a random place: SpecAugment's masking. Drawn from the global generator, which the loop
    seeds and every checkpoint records, so a resumed run masks what an unbroken one would."""
    batch, size = x.shape[0], x.shape[dim]
    width = torch.randint(0, min(most, size) + 1, (batch,), device=x.device)
    start = (torch.rand(batch, device=x.device) * (size - width + 1)).long()
    where = torch.arange(size, device=x.device)
    hidden = (where >= start[:, None]) & (where < (start + width)[:, None])  # [batch, size]
    shape = [batch] + [1] * (x.ndim - 1)
    shape[dim] = size
    return x.masked_fill(hidden.view(shape), 0.0)


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        # No conv bias: BatchNorm's shift makes it redundant.
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        # Faster-moving running statistics than the default 0.1, so that evaluation after a short
        # run (a few dozen steps) does not normalise with statistics of the untrained network.
        nn.BatchNorm2d(out_channels, momentum=0.3),
        nn.ReLU(inplace=True),
    )


class AudioCNN(nn.Module):
    """Takes waveforms float32 [batch, samples] (any batch); returns logits [batch, classes]."""

    def __init__(
        self,
        num_classes: int,
        front: LogMel,
        widths: list[int],
        dropout: float = 0.0,
        freq_mask: int = 0,
        time_mask: int = 0,
    ) -> None:
        super().__init__()
        self.front, self.freq_mask, self.time_mask = front, freq_mask, time_mask
        layers: list[nn.Module] = []
        channels, bands = 1, front.bank.shape[1]  # mel bands, halved by each pooling
        for i, width in enumerate(widths):
            if i > 0:
                layers.append(nn.MaxPool2d(2))
                bands //= 2
            layers.append(conv_block(channels, width))
            channels = width
        self.features = nn.Sequential(*layers)
        # Averaged over time only: where a sound sits in the clip does not matter, but where it
        # sits in frequency does (a low hum is not a high whistle), and a few 3x3 blocks see too
        # few bands to tell pitch apart if the frequency axis were averaged away as well.
        self.head = nn.Sequential(
            nn.Flatten(),  # [batch, channels * bands]
            nn.Dropout(dropout),
            nn.Linear(channels * bands, num_classes),
        )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                # Unit-variance activations from the first step keep BatchNorm's running
                # statistics close to the batch statistics early in training.
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, waves: Tensor) -> Tensor:
        x = self.front(waves).unsqueeze(1)  # [batch, 1, n_mels, frames]
        if self.training:  # evaluation and the export see whole spectrograms
            if self.freq_mask:
                x = mask_bands(x, self.freq_mask, dim=2)
            if self.time_mask:
                x = mask_bands(x, self.time_mask, dim=3)
        return self.head(self.features(x).mean(dim=3))


def build_model(config: Config, num_classes: int) -> AudioCNN:
    d, m = config.data, config.model
    front = LogMel(d.sample_rate, m.n_fft, m.hop_length, m.n_mels)
    return AudioCNN(
        num_classes,
        front,
        widths=list(m.widths),
        dropout=m.dropout,
        freq_mask=m.freq_mask,
        time_mask=m.time_mask,
    )


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device | str = "cpu"
) -> AudioCNN:
    """The model a checkpoint was trained with (its own saved config and classes), in eval mode."""
    model = build_model(from_dict(Config, checkpoint["config"]), len(checkpoint["classes"]))
    model.load_state_dict(checkpoint["model"])
    return model.to(device).eval()
