"""Reference: the PyTorch template's text encoder in a minimal loop with PyTorch's fast settings.

Same texts, split and tokenizer (the template's shared `corpus.py` and `tokenizer.py`, see
`_text.py`), same model (token embedding with padding id 0 plus learned positions, 2 pre-norm
Transformer encoder layers of width 64, 4 heads, feed-forward 128 with GELU, dropout 0.1, a final
LayerNorm, the mean over the real tokens, a linear head over the 2 classes), AdamW lr 3e-3 /
weight decay 1e-4 with 5 % warm-up and cosine decay, gradient clipping at 1.0, batch 32 (the last
short batch dropped, as the template does), one epoch then the validation pass. Speed settings:
the ids as tensors in memory, batched by index; `nn.TransformerEncoderLayer`; fused AdamW;
`torch.inference_mode` for validation; eager (no compile). Autocast stays off on the CPU (bfloat16
is emulated on most CPUs and slower); on a GPU it runs in bfloat16.
"""

from __future__ import annotations

import _text
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


class TextEncoder(nn.Module):
    def __init__(self, vocab_size: int, num_classes: int, dim=64, heads=4, layers=2, ff_dim=128):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, dim, padding_idx=_text.PAD_ID)
        self.positions = nn.Embedding(_text.MAX_LENGTH, dim)
        layer = nn.TransformerEncoderLayer(
            dim, heads, ff_dim, dropout=0.1, activation="gelu", batch_first=True, norm_first=True
        )
        # Nested tensors are an inference shortcut that pre-norm layers cannot take anyway.
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        real = ids != _text.PAD_ID
        x = self.tokens(ids) + self.positions(torch.arange(ids.shape[1], device=ids.device))
        x = self.norm(self.encoder(x, src_key_padding_mask=~real))
        weights = real.unsqueeze(-1).to(x.dtype)
        return self.head((x * weights).sum(1) / weights.sum(1).clamp(min=1.0))


def main() -> None:
    args = parse_args(batch_size=32)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    vocab_size, num_classes, train, val = _text.load(args.num_samples, args.seed)
    x, y = (torch.from_numpy(a).long().to(device) for a in train)
    vx, vy = (torch.from_numpy(a).long().to(device) for a in val)
    model = TextEncoder(vocab_size, num_classes).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4, fused=True)
    steps = len(y) // args.batch_size
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda")

    clock = StepClock(args.batch_size)
    model.train()
    order = torch.randperm(len(y), device=device)[: steps * args.batch_size]
    for rows in order.split(args.batch_size):
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
        hits = sum(int((model(ids).argmax(1) == labels).sum()) for ids, labels in batches)
    emit(clock.report(val_accuracy=round(hits / len(vy), 4), device=device.type))


if __name__ == "__main__":
    main()
