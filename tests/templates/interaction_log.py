"""An interaction log for the recommendation e2e tests, written with the standard library only: a
CSV of `user_id,item_id,timestamp` rows as a shop's export would arrive (string ids, ISO 8601
times, rows out of time order, a few repeats). Framework-free, so every template's e2e module
learns the same log.

Shoppers keep to one department: nine in ten of their picks come from it, the rest from the whole
shop. Within a department a few products sell most, so a popularity ranking is a fair baseline
that knowing the department beats."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

DEPARTMENTS = ("garden", "kitchen", "toys", "books", "tools", "music")
PRODUCTS_PER_DEPARTMENT = 30
START = datetime(2026, 1, 1, 9, 0)


def _products() -> list[tuple[str, str]]:
    return [(d, f"{d}-{p:02d}") for d in DEPARTMENTS for p in range(PRODUCTS_PER_DEPARTMENT)]


def write_log(path: Path, shoppers: int = 300, seed: int = 0) -> Path:
    """`shoppers` users of 12 to 30 picks each, written in shuffled order."""
    rng = random.Random(seed)
    products = _products()
    weight = {
        name: 1.0 / (1 + rank % PRODUCTS_PER_DEPARTMENT) for rank, (_, name) in enumerate(products)
    }
    rows = []
    for shopper in range(shoppers):
        home = DEPARTMENTS[shopper % len(DEPARTMENTS)]
        own = [name for d, name in products if d == home]
        when = START + timedelta(days=rng.randrange(60))
        for _ in range(rng.randrange(12, 31)):
            pool = own if rng.random() < 0.9 else [name for _, name in products]
            item = rng.choices(pool, weights=[weight[name] for name in pool])[0]
            when += timedelta(hours=rng.randrange(1, 48))
            rows.append((f"shopper-{shopper:03d}", item, when.isoformat(timespec="seconds")))
    rng.shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["user_id", "item_id", "timestamp"])
        writer.writerows(rows)
    return path
