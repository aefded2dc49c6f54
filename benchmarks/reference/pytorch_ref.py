"""Reference: the PyTorch template's default CNN in a minimal loop with PyTorch's fast settings.

Same data generator idea (a bicubic-upsampled orthogonal 4x4 pattern per class, shifted, rescaled,
plus noise, squashed into [0, 1]), same split (20 % held out), same model (pixels centred, then
conv-BN-ReLU blocks of 32/64/128 with max pooling between them, BN momentum 0.3, Kaiming init,
global average pooling, dropout 0.1, linear head; about 94k parameters), AdamW with warm-up and cosine decay, gradient clipping at 1.0, batch 64.
Speed settings: tensors already in memory and batched by index (no DataLoader workers to start),
channels_last memory format, the fused AdamW kernel, `torch.inference_mode` for validation.
`--compile` adds `torch.compile`; on a CPU its compile time dwarfs a one-epoch run, so eager is
the reference there. Autocast stays off on the CPU (bfloat16 matmuls are emulated on most CPUs and
slower); on a GPU it runs in bfloat16.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


def synthetic(n: int, seed: int, size: int = 28, classes: int = 10) -> tuple[torch.Tensor, ...]:
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(16, classes)))[0] * 4.0  # orthogonal class patterns
    coarse = torch.from_numpy(basis.T.reshape(classes, 1, 4, 4).copy())
    prototypes = F.interpolate(coarse, size=(size, size), mode="bicubic").numpy()
    labels = rng.integers(0, classes, size=n)
    images = prototypes[labels] * rng.uniform(0.6, 1.4, size=(n, 1, 1, 1))
    shift = max(1, size // 14)
    for i, (dy, dx) in enumerate(rng.integers(-shift, shift + 1, size=(n, 2))):
        images[i] = np.roll(images[i], (int(dy), int(dx)), axis=(1, 2))
    images = 1.0 / (1.0 + np.exp(-(images + rng.normal(scale=0.5, size=images.shape))))
    x, y = torch.from_numpy(images.astype(np.float32)), torch.from_numpy(labels)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, round(n * 0.2))
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


def block(in_channels: int, out_channels: int) -> list[nn.Module]:
    conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu")
    return [conv, nn.BatchNorm2d(out_channels, momentum=0.3), nn.ReLU(inplace=True)]


class ConvNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *block(1, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2), *block(64, 128)
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.1), nn.Linear(128, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features((x - 0.5) / 0.5))


def main() -> None:
    args = parse_args(**{"--compile": {"action": argparse.BooleanOptionalAction, "default": False}})
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda")
    x, y, x_val, y_val = synthetic(args.num_samples, args.seed)
    x, x_val = (t.to(device).contiguous(memory_format=torch.channels_last) for t in (x, x_val))
    y, y_val = y.to(device), y_val.to(device)
    model = ConvNet().to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4, fused=True)
    steps = math.ceil(len(x) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))
    forward = torch.compile(model) if args.compile else model

    clock = StepClock(args.batch_size)
    model.train()
    for rows in torch.randperm(len(x), device=device).split(args.batch_size):
        with autocast:
            loss = F.cross_entropy(forward(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()  # wait for the step (asynchronous on a GPU)
        clock.step_done()
    model.eval()
    with torch.inference_mode(), autocast:
        hits = sum(
            int((forward(xb).argmax(1) == yb).sum())
            for xb, yb in zip(
                x_val.split(args.batch_size), y_val.split(args.batch_size), strict=True
            )
        )
    emit(
        clock.report(
            val_accuracy=round(hits / len(x_val), 4), compile=args.compile, device=device.type
        )
    )


if __name__ == "__main__":
    main()
