"""Reference: the PyTorch template's tabular MLP in a minimal loop with PyTorch's fast settings.

Same table, split and preprocessing (the template's shared `table.py`, see `_tabular.py`), same
model (standardisation and missing-value indicators inside the model, one 8-wide embedding per
categorical column, Linear-ReLU-Dropout 128 and 64, dropout 0.1, linear head over the 2 classes),
AdamW lr 3e-3 / weight decay 1e-4 with 5 % warm-up and cosine decay, gradient clipping at 1.0,
batch 64, one epoch then the validation pass. Speed settings: the whole table as tensors in
memory, batched by index; fused AdamW; `torch.inference_mode` for validation; eager (no compile).
"""

from __future__ import annotations

import math

import _tabular
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


class TabularNet(nn.Module):
    def __init__(self, prep, hidden=(128, 64), dropout=0.1, embedding_dim=8) -> None:
        super().__init__()
        self.register_buffer("means", torch.tensor(prep.means, dtype=torch.float32))
        self.register_buffer("stds", torch.tensor(prep.stds, dtype=torch.float32))
        self.embeddings = nn.ModuleList(
            nn.Embedding(len(v) + 1, embedding_dim) for v in prep.vocabularies
        )
        width = 2 * len(prep.numeric) + embedding_dim * len(prep.categorical)
        layers: list[nn.Module] = []
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(inplace=True), nn.Dropout(dropout)]
            width = size
        self.mlp = nn.Sequential(*layers, nn.Linear(width, prep.num_outputs))

    def forward(self, numeric: torch.Tensor, categorical: torch.Tensor) -> torch.Tensor:
        missing = torch.isnan(numeric)
        parts = [torch.where(missing, 0.0, (numeric - self.means) / self.stds), missing.float()]
        parts += [embed(categorical[:, i]) for i, embed in enumerate(self.embeddings)]
        return self.mlp(torch.cat(parts, dim=1))


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    prep, train, val = _tabular.load(args.num_samples, args.seed)
    xn, xc, y = (torch.from_numpy(a).to(device) for a in train)
    vn, vc, vy = (torch.from_numpy(a).to(device) for a in val)
    model = TabularNet(prep).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4, fused=True)
    steps = math.ceil(len(y) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))

    clock = StepClock(args.batch_size)
    model.train()
    for rows in torch.randperm(len(y), device=device).split(args.batch_size):
        loss = F.cross_entropy(model(xn[rows], xc[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()
        clock.step_done()
    model.eval()
    with torch.inference_mode():
        hits = sum(
            int((model(n, c).argmax(1) == t).sum())
            for n, c, t in zip(
                vn.split(args.batch_size),
                vc.split(args.batch_size),
                vy.split(args.batch_size),
                strict=True,
            )
        )
    emit(clock.report(val_accuracy=round(hits / len(vy), 4), device=device.type))


if __name__ == "__main__":
    main()
