"""Reference: the PyTorch template's audio classifier in a minimal loop with PyTorch's fast settings.

Same clips and split (the template's shared `clips.py`, see `_audio.py`: one-second waveforms at
16 kHz, 20 % held out), same model (a log-mel front end inside the model: `torch.stft` with a
periodic Hann window of 512 and hop 160, power on the shared 40-band mel filterbank, log, each
clip standardised over its bins; then conv-BN-ReLU blocks of 16/32/64 with max pooling between
them, BN momentum 0.3, Kaiming init, an average over time (the mel axis kept), dropout 0.1, a
linear head over the flattened channels and bands), AdamW
lr 3e-3 / weight decay 1e-4 with 5 % warm-up and cosine decay, gradient clipping at 1.0, batch
32, one epoch then the validation pass. Speed settings: the waveforms as tensors in memory,
batched by index; the fused AdamW kernel; `torch.inference_mode` for validation; eager. Autocast
stays off on the CPU; on a GPU it runs in bfloat16 (the STFT and the log in float32).
"""

from __future__ import annotations

import math

import _audio
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


def block(in_channels: int, out_channels: int) -> list[nn.Module]:
    conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu")
    return [conv, nn.BatchNorm2d(out_channels, momentum=0.3), nn.ReLU(inplace=True)]


class AudioNet(nn.Module):
    def __init__(self, num_classes: int) -> None:
        super().__init__()
        window = torch.hann_window(_audio.N_FFT)
        self.register_buffer("window", window, persistent=False)
        self.register_buffer("mel", torch.from_numpy(_audio.mel_bank()), persistent=False)
        layers: list[nn.Module] = []
        channels, bands = 1, _audio.N_MELS
        for i, width in enumerate(_audio.WIDTHS):
            layers += [nn.MaxPool2d(2)] if i else []
            bands //= 2 if i else 1
            layers += block(channels, width)
            channels = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.1), nn.Linear(channels * bands, num_classes)
        )

    def forward(self, waves: torch.Tensor) -> torch.Tensor:
        with torch.autocast(waves.device.type, enabled=False):
            spectrum = torch.stft(
                waves.float(), _audio.N_FFT, _audio.HOP_LENGTH, window=self.window,
                return_complex=True,
            ).abs().pow(2)  # fmt: skip
            logmel = torch.log(spectrum.transpose(1, 2) @ self.mel + 1e-6)  # [batch, frames, mels]
            mean = logmel.mean(dim=(1, 2), keepdim=True)
            std = logmel.std(dim=(1, 2), keepdim=True)
            x = ((logmel - mean) / (std + 1e-5)).transpose(1, 2).unsqueeze(1)
        return self.head(self.features(x).mean(dim=3))


def main() -> None:
    args = parse_args(batch_size=32)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda")
    num_classes, train, val = _audio.load(args.num_samples, args.seed)
    x, y = (torch.from_numpy(a).to(device) for a in train)
    vx, vy = (torch.from_numpy(a).to(device) for a in val)
    model = AudioNet(num_classes).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4, fused=True)
    steps = math.ceil(len(y) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))

    clock = StepClock(args.batch_size)
    model.train()
    for rows in torch.randperm(len(y), device=device).split(args.batch_size):
        with autocast:
            loss = F.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()
        clock.step_done()
    model.eval()
    with torch.inference_mode(), autocast:
        batches = zip(vx.split(args.batch_size), vy.split(args.batch_size), strict=True)
        hits = sum(int((model(xb).argmax(1) == yb).sum()) for xb, yb in batches)
    emit(clock.report(val_accuracy=round(hits / len(vy), 4), device=device.type))


if __name__ == "__main__":
    main()
