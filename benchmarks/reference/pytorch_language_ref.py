"""Reference: the PyTorch template's language model in a minimal loop with PyTorch's fast settings.

Same text, tokenizer and windows (the template's shared `corpus.py` and `tokenizer.py`, see
`_language.py`), same model (token and learned position embeddings, 2 pre-norm blocks of causal
`scaled_dot_product_attention` with 4 heads and a GELU MLP of 512, a final LayerNorm, the output
tied to the embedding, GPT-2 style initialisation), the same loss (next-token cross-entropy in
float32), AdamW lr 3e-3 / weight decay 1e-4 with 5 % warm-up and cosine decay, gradient clipping at
1.0, batch 32, one epoch then the validation pass. Speed settings: the windows as one tensor in
memory, batched by index; the fused AdamW kernel; `torch.inference_mode` for validation; eager.
Autocast stays off on the CPU; on a GPU it runs in bfloat16 (the loss in float32).
"""

from __future__ import annotations

import math

import _language as lang
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(lang.DIM), nn.LayerNorm(lang.DIM)
        self.qkv, self.proj = nn.Linear(lang.DIM, 3 * lang.DIM), nn.Linear(lang.DIM, lang.DIM)
        self.mlp = nn.Sequential(
            nn.Linear(lang.DIM, lang.FF_DIM), nn.GELU(), nn.Linear(lang.FF_DIM, lang.DIM)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = (
            z.view(b, t, lang.HEADS, -1).transpose(1, 2)
            for z in self.qkv(self.norm1(x)).split(c, dim=-1)
        )
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp(self.norm2(x))


class LanguageModel(nn.Module):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.tokens, self.positions = (
            nn.Embedding(vocab, lang.DIM),
            nn.Embedding(lang.CONTEXT, lang.DIM),
        )
        self.blocks = nn.Sequential(*[Block() for _ in range(lang.LAYERS)])
        self.norm, self.head = nn.LayerNorm(lang.DIM), nn.Linear(lang.DIM, vocab, bias=False)
        self.head.weight = self.tokens.weight
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tokens(ids) + self.positions(torch.arange(ids.shape[1], device=ids.device))
        return self.head(self.norm(self.blocks(x)))


def main() -> None:
    args = parse_args(batch_size=lang.BATCH_SIZE, num_samples=lang.NUM_DOCUMENTS)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda")
    train, val, vocab, baseline = lang.load(args.num_samples, args.seed)
    x, vx = torch.from_numpy(train).to(device), torch.from_numpy(val).to(device)
    model = LanguageModel(vocab).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lang.LR, weight_decay=1e-4, fused=True)
    steps = len(x) // args.batch_size
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))

    clock = StepClock(args.batch_size)
    model.train()
    for rows in torch.randperm(len(x), device=device)[: steps * args.batch_size].split(
        args.batch_size
    ):
        window = x[rows]
        with autocast:
            logits = model(window[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1).float(), window[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()
        clock.step_done()
    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode(), autocast:
        for window in vx.split(args.batch_size):
            logits = model(window[:, :-1]).flatten(0, 1).float()
            total += F.cross_entropy(logits, window[:, 1:].flatten(), reduction="sum").item()
            count += window[:, 1:].numel()
    val_loss = total / count
    emit(clock.report(
        val_loss=round(val_loss, 4), val_perplexity=round(math.exp(val_loss), 3),
        baseline_perplexity=round(baseline, 3), device=device.type,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
