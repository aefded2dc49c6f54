"""Implicit feedback in, a per-user split out: synthetic interactions with latent groups, or a CSV
of `user_id,item_id[,timestamp]` rows (ids are any text).

Each user's latest interactions are held out (their last `val_fraction`, at least one, when the
user has two or more); without timestamps, the file's order stands in for time. Validation asks
the model to find those held-out items among every item the user has not already met in training.

Nothing here knows the framework. The same data and seed give the same split in train, evaluate
and export and on every rank, and the user and item vocabularies (sorted ids) are those the
checkpoint records, so row i of the item table is the same item wherever it is loaded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .errors import ConfigError

REQUIRED = ("user_id", "item_id")
TIMESTAMP = "timestamp"


def synthetic_interactions(
    num_users: int, num_items: int, seed: int, groups: int = 8
) -> tuple[list[str], list[str]]:
    """Users and items fall into `groups` hidden tastes; each user mostly picks items of its own
    group (the popular ones of it more often) and now and then a globally popular item. A
    popularity ranking finds the popular items only; an embedding model also finds the group."""
    rng = np.random.default_rng(seed)
    groups = max(1, min(groups, num_items))
    item_group = rng.permutation(np.arange(num_items) % groups)
    popularity = 1.0 / np.arange(1, num_items + 1) ** 0.8  # a long tail over a shuffled catalogue
    popularity = popularity[rng.permutation(num_items)]
    users, items = [], []
    for user in range(num_users):
        own = item_group == rng.integers(groups)
        taste = np.where(own, popularity, 0.0)
        taste = taste / taste.sum() if taste.sum() > 0 else popularity / popularity.sum()
        count = int(rng.integers(10, 31))
        from_group = rng.random(count) < 0.8
        picks = np.where(
            from_group,
            rng.choice(num_items, size=count, p=taste),
            rng.choice(num_items, size=count, p=popularity / popularity.sum()),
        )
        users += [f"u{user}"] * count
        items += [f"i{item}" for item in picks]
    return users, items


def _timestamp(value: str, where: str) -> float:
    """Seconds since the epoch from a number or an ISO 8601 date and time."""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise ConfigError(
            f"{where}: timestamp {value!r} is neither a number nor an ISO 8601 date"
        ) from None


def read_csv(path: Path) -> tuple[list[str], list[str], list[float] | None]:
    """The rows' user ids, item ids and (where the file has the column) timestamps."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                shown = ", ".join(map(repr, columns[:8])) or "no header"
                raise ConfigError(f"{path} has no column {missing[0]!r}; it has {shown}")
            timed = TIMESTAMP in columns
            users, items, times = [], [], []
            for number, row in enumerate(reader, 2):
                user = (row.get("user_id") or "").strip()
                item = (row.get("item_id") or "").strip()
                if not user or not item:
                    raise ConfigError(f"{path}:{number}: a row needs both user_id and item_id")
                users.append(user)
                items.append(item)
                if timed:
                    times.append(_timestamp((row.get(TIMESTAMP) or "").strip(), f"{path}:{number}"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        text = str(exc).strip().splitlines()
        reason = text[0] if text else type(exc).__name__
        raise ConfigError(f"{path}: cannot read it: {reason}") from exc
    if not users:
        raise ConfigError(f"{path} has no rows")
    return users, items, times if timed else None


@dataclass
class Catalog:
    """The vocabularies a model is trained on, and what each user met in training (which a
    recommendation leaves out). A checkpoint and an export carry it as plain lists."""

    users: list[str]
    items: list[str]
    seen: list[list[int]]  # seen[user index]: the item indices of that user's training rows

    def to_dict(self) -> dict[str, list]:
        return {"users": self.users, "items": self.items, "seen": self.seen}

    @classmethod
    def from_dict(cls, state: dict) -> Catalog:
        return cls(list(state["users"]), list(state["items"]), [list(s) for s in state["seen"]])

    def user_rows(self, ids: list[str]) -> np.ndarray:
        index = {user: i for i, user in enumerate(self.users)}
        unknown = [user for user in ids if user not in index]
        if unknown:
            raise ConfigError(
                f"unknown user id {unknown[0]!r}: the model knows the {len(self.users)} users of "
                "its training interactions"
            )
        return np.array([index[user] for user in ids], np.int64)

    def log_item_shares(self) -> np.ndarray:
        """float32 [items]: the log of each item's share of the training pairs, how often it turns
        up in a batch, which the sampling-bias correction subtracts from in-batch logits. The
        training pairs are each user's `seen` items, so the catalogue alone gives them (a resumed
        or exported run has it too). An item never met never turns up: its floor of one count
        only keeps the log finite."""
        met = np.concatenate([np.asarray(s, np.int64) for s in self.seen] + [np.zeros(0, np.int64)])
        counts = np.maximum(np.bincount(met, minlength=len(self.items)), 1).astype(np.float64)
        return np.log(counts / max(len(met), 1)).astype(np.float32)

    def top_k(self, scores: np.ndarray, rows: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """The `k` best-scored items of each user that the user has not met, best first."""
        scores = np.array(scores, np.float64)
        result = []
        for row, user_scores in zip(rows, scores, strict=True):
            user_scores[self.seen[row]] = -np.inf
            count = min(k, int(np.isfinite(user_scores).sum()))
            best = np.argsort(-user_scores, kind="stable")[:count]
            result.append([(self.items[i], float(user_scores[i])) for i in best])
        return result


@dataclass
class Interactions:
    catalog: Catalog
    train_users: np.ndarray  # int64 [pairs]: one training (user, item) pair per row
    train_items: np.ndarray
    val_users: np.ndarray  # int64 [users with held-out items]
    held_out: list[np.ndarray]  # held_out[j]: the items val_users[j] met after its training rows

    @property
    def num_items(self) -> int:
        return len(self.catalog.items)

    def targets(self, rows: np.ndarray) -> np.ndarray:
        """int8 [len(rows), items] for validation users `rows` (indices into val_users): 1 marks a
        held-out item, -1 one the user met in training (not ranked), 0 any other item."""
        out = np.zeros((len(rows), self.num_items), np.int8)
        for j, row in enumerate(rows):
            out[j, self.catalog.seen[self.val_users[row]]] = -1
            out[j, self.held_out[row]] = 1
        return out

    def item_counts(self) -> np.ndarray:
        return np.bincount(self.train_items, minlength=self.num_items)


def split_interactions(
    users: list[str], items: list[str], times: list[float] | None, val_fraction: float, seed: int
) -> Interactions:
    """Repeats of a (user, item) pair keep their first time; then each user's latest rows are
    held out. Without timestamps the rows' order is their time."""
    user_ids, items_ids = sorted(set(users)), sorted(set(items))
    user_index = {u: i for i, u in enumerate(user_ids)}
    item_index = {t: i for i, t in enumerate(items_ids)}
    order = np.arange(len(users)) if times is None else np.argsort(times, kind="stable")
    per_user: list[list[int]] = [[] for _ in user_ids]
    met: set[tuple[int, int]] = set()
    for r in order:
        pair = (user_index[users[r]], item_index[items[r]])
        if pair not in met:
            met.add(pair)
            per_user[pair[0]].append(pair[1])
    rng = np.random.default_rng(seed)  # only to order the training pairs the same everywhere
    seen, train_pairs, val_users, held_out = [], [], [], []
    for user, history in enumerate(per_user):
        held = min(len(history) - 1, max(1, round(val_fraction * len(history))))
        cut = len(history) - max(held, 0)
        seen.append(sorted(history[:cut]))
        train_pairs += [(user, item) for item in history[:cut]]
        if held > 0:
            val_users.append(user)
            held_out.append(np.array(sorted(history[cut:]), np.int64))
    pairs = np.array(train_pairs, np.int64)[rng.permutation(len(train_pairs))]
    return Interactions(
        catalog=Catalog(user_ids, items_ids, seen),
        train_users=pairs[:, 0].copy(),
        train_items=pairs[:, 1].copy(),
        val_users=np.array(val_users, np.int64),
        held_out=held_out,
    )


def load_interactions(
    source: str, *, num_users: int, num_items: int, val_fraction: float, seed: int
) -> Interactions:
    if source == "synthetic":
        users, items = synthetic_interactions(num_users, num_items, seed)
        times = None
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise ConfigError(f"data.source {source!r} does not exist (or use 'synthetic')")
        if not path.is_file():
            raise ConfigError(f"data.source {source!r} is not a CSV file (or use 'synthetic')")
        users, items, times = read_csv(path)
    data = split_interactions(users, items, times, val_fraction, seed)
    if len(data.val_users) == 0:
        raise ConfigError(
            f"{source}: no user has two or more distinct items, so none can be held out"
        )
    if len(data.catalog.items) < 2:
        raise ConfigError(f"{source}: the interactions name only one item")
    return data
