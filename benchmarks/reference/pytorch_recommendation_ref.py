"""Reference: the PyTorch template's two-tower recommender in a minimal loop with PyTorch's fast
settings.

Same log and split (the template's shared `interactions.py`, see `_recommendation.py`: 1,000
synthetic users by default, 500 items, each user's latest 20 % held out), same model (user and
item id embeddings of 32, L2-normalised, cosine over a temperature of 0.2), same loss (the
in-batch softmax with each item's logit lowered by the log of its share of the training pairs,
repeats of a row's own item masked out), AdamW lr 0.05 / weight decay 1e-4 with 5 % warm-up and
cosine decay, gradient clipping at 1.0, batch 128 over the shuffled training pairs with the last
short batch dropped, one epoch, then recall@10 and NDCG@10 over every held-out user against the
whole catalogue. Speed settings: the pairs as tensors in memory, batched by index; the fused
AdamW kernel; `torch.inference_mode` for validation; eager.
"""

from __future__ import annotations

import _recommendation as rec
import torch
import torch.nn.functional as F
from _common import StepClock, emit, parse_args, warmup_cosine
from torch import nn


class TwoTowers(nn.Module):
    def __init__(self, num_users: int, num_items: int) -> None:
        super().__init__()
        self.users = nn.Embedding(num_users, rec.EMBEDDING_DIM)
        self.items = nn.Embedding(num_items, rec.EMBEDDING_DIM)

    def forward(self, users: torch.Tensor, items: torch.Tensor | None = None) -> torch.Tensor:
        u = F.normalize(self.users(users), dim=-1)
        i = F.normalize(self.items.weight if items is None else self.items(items), dim=-1)
        return u @ i.T / rec.TEMPERATURE


def in_batch_loss(logits: torch.Tensor, items: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    logits = logits - log_q[items][None, :]
    repeats = (items[:, None] == items[None, :]) & ~torch.eye(
        len(items), dtype=torch.bool, device=items.device
    )
    logits = logits.masked_fill(repeats, float("-inf"))
    return F.cross_entropy(logits, torch.arange(len(items), device=items.device))


def main() -> None:
    args = parse_args(batch_size=rec.BATCH_SIZE, num_samples=rec.NUM_USERS)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data, log_q = rec.load(args.num_samples, args.seed)
    users = torch.from_numpy(data.train_users).to(device)
    items = torch.from_numpy(data.train_items).to(device)
    log_q = torch.from_numpy(log_q).to(device)
    model = TwoTowers(len(data.catalog.users), data.num_items).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=rec.LR, weight_decay=1e-4, fused=True)
    steps = len(users) // args.batch_size
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps))

    clock = StepClock(args.batch_size)
    model.train()
    order = torch.randperm(len(users), device=device)[: steps * args.batch_size]
    for rows in order.split(args.batch_size):
        loss = in_batch_loss(model(users[rows], items[rows]), items[rows], log_q)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        scheduler.step()
        loss.item()
        clock.step_done()
    model.eval()
    val_users = torch.from_numpy(data.val_users).to(device)
    with torch.inference_mode():
        scores = rec.ranking(data, lambda rows: model(val_users[rows]).float().cpu().numpy(), 256)
    emit(clock.report(**scores, device=device.type))


if __name__ == "__main__":
    main()
