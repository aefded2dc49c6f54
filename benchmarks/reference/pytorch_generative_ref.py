"""Reference: the PyTorch template's VAE in a minimal loop with PyTorch's fast settings.

Same images and split (the template's shared `pictures.py`, see `_generative.py`: 32 x 32 RGB
shapes, 10 % held out), same model (an encoder of 4 x 4 stride-2 convolutions with SiLU at widths
32 and 64, a linear map to the mean and log-variance of a 16-dimensional code; a decoder of a
linear map, SiLU, 4 x 4 stride-2 transposed convolutions back up and a 3 x 3 convolution to pixel
logits), the same loss (binary cross-entropy summed over pixels plus beta times the KL term,
averaged over images, in float32), AdamW lr 3e-3 / weight decay 1e-4 with 5 % warm-up and cosine
decay, gradient clipping at 1.0, batch 64, one epoch then the validation pass on the mean codes.
Speed settings: the images as one tensor in memory, batched by index; the fused AdamW kernel;
`torch.inference_mode` for validation; eager. Autocast stays off on the CPU; on a GPU it runs in
bfloat16 (the loss in float32).
"""

from __future__ import annotations

import math
from itertools import pairwise

import _generative as g
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


def down(cin: int, cout: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(cin, cout, 4, stride=2, padding=1), nn.SiLU())


def up(cin: int, cout: int) -> nn.Module:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.SiLU())


class VAE(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        widths, cells = list(g.WIDTHS), g.IMAGE_SIZE >> len(g.WIDTHS)
        chans = [g.CHANNELS, *widths]
        self.encoder = nn.Sequential(*[down(a, b) for a, b in pairwise(chans)], nn.Flatten())
        self.to_code = nn.Linear(widths[-1] * cells * cells, 2 * g.LATENT_DIM)
        self.project = nn.Linear(g.LATENT_DIM, widths[-1] * cells * cells)
        self.shape = (widths[-1], cells, cells)
        ups = [up(a, b) for a, b in pairwise(widths[::-1])]
        self.ups = nn.Sequential(*ups, up(widths[0], widths[0]))
        self.out = nn.Conv2d(widths[0], g.CHANNELS, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mean, log_var = self.to_code(self.encoder(x)).chunk(2, dim=-1)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var) if self.training else mean
        h = F.silu(self.project(z)).unflatten(1, self.shape)
        return self.out(self.ups(h)), mean, log_var


def elbo(outputs: tuple[torch.Tensor, ...], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    logits, mean, log_var = (t.float() for t in outputs)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = -0.5 * (1 + log_var - mean.square() - log_var.exp()).sum(1)
    return rec, kl


def main() -> None:
    args = parse_args(batch_size=g.BATCH_SIZE, num_samples=g.NUM_SAMPLES)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda")
    train, val, baseline = g.load(args.num_samples, args.seed)
    x = torch.from_numpy(train).permute(0, 3, 1, 2).contiguous().to(device)
    vx = torch.from_numpy(val).permute(0, 3, 1, 2).contiguous().to(device)
    model = VAE().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=g.LR, weight_decay=1e-4, fused=True)
    steps = math.ceil(len(x) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))

    clock = StepClock(args.batch_size)
    model.train()
    for rows in torch.randperm(len(x), device=device).split(args.batch_size):
        with autocast:
            rec, kl = elbo(model(x[rows]), x[rows])
            loss = (rec + g.BETA * kl).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()
        clock.step_done()
    model.eval()
    sums = torch.zeros(2, dtype=torch.float64, device=device)
    with torch.inference_mode(), autocast:
        for xb in vx.split(args.batch_size):
            rec, kl = elbo(model(xb), xb)
            sums += torch.stack([rec.sum(), kl.sum()]).double()
    rec_mean, kl_mean = (sums / len(vx)).tolist()
    emit(clock.report(
        val_reconstruction=round(rec_mean, 2), val_kl=round(kl_mean, 2),
        baseline_reconstruction=round(baseline, 2), device=device.type,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
