"""What an interaction log gives the common loop, evaluation and export: the in-batch softmax with
its sampling-bias correction, recall@k and NDCG@k over every held-out user, the catalogue that
checkpoints and exports carry, and held-out users for the export's check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .data import Loaders, load_data
from .distributed import Distributed
from .interactions import Catalog, Interactions
from .model import build_model
from .ranking import EPOCH_METRICS, NUM_SUMS, popularity_baseline, ranking_scores, ranking_sums

CATALOG = "catalog.json"  # beside an export: the user ids of its input, the item ids of its output


def in_batch_softmax(logits: Tensor, items: Tensor, log_q: Tensor) -> Tensor:
    """Cross-entropy of each pair's own item against the batch's other items. A popular item is
    every other pair's negative far more often than a rare one, which without the correction
    (column c lowered by log q_c) pushes every score towards popularity. A repeat of the row's
    own item elsewhere in the batch is the same item, not a negative: it is masked out."""
    logits = logits.float() - log_q[items][None, :]
    own = torch.arange(len(items), device=items.device)
    repeats = (items[:, None] == items[None, :]) & (own[:, None] != own[None, :])
    return F.cross_entropy(logits.masked_fill(repeats, float("-inf")), own)


class RankingMetrics:
    """The loss, recall and NDCG as sums over users (NumPy, the same code in every framework),
    added up over batches, then over ranks: exact however the held-out users are cut."""

    def __init__(self, device: torch.device, k: int) -> None:
        self.device, self.k = device, k
        self.sums = np.zeros(NUM_SUMS)

    def update(self, scores: Tensor, targets: Tensor) -> None:
        self.sums += ranking_sums(scores.float().cpu().numpy(), targets.cpu().numpy(), self.k)

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        sums = self.sums
        if ctx is not None and ctx.enabled:
            # NCCL reduces CUDA tensors only; Gloo reduces CPU ones.
            where = self.device if self.device.type == "cuda" else torch.device("cpu")
            sums = ctx.all_sum(torch.from_numpy(sums).to(where)).cpu().numpy()
        return {**ranking_scores(sums), "num_val_users": int(sums[-1])}


@dataclass
class Task:
    catalog: Catalog  # the users and items the model has a row for, and what each user met
    data: Interactions | None = None  # the training pairs and held-out users, where loaded
    top_k: int = 10  # the k of recall@k and NDCG@k

    input_names: ClassVar[list[str]] = ["users"]
    output_name: ClassVar[str] = "scores"
    # The batch stays symbolic; the item axis is the catalogue the model was trained on.
    dynamic_dims: ClassVar[tuple[int, ...]] = (0,)

    def __post_init__(self) -> None:
        # Fixed for the run: the shares of the pairs the loss's batches are drawn from.
        self.log_q: Tensor | None = None
        if self.data is not None:
            self.log_q = torch.from_numpy(self.data.catalog.log_item_shares())

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.data.catalog, loaders.data, loaders.top_k)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        top_k = state["config"]["model"]["top_k"]
        return cls(Catalog.from_dict(state["catalog"]), top_k=top_k)

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        return cls(Catalog.from_dict(json.loads((export_dir / CATALOG).read_text("utf-8"))))

    @property
    def metric_names(self) -> list[str]:
        return list(EPOCH_METRICS)

    def resolve(self, config: Config) -> None:
        """Nothing for the data to decide: the catalogue travels in the state."""

    def build_model(self, config: Config) -> nn.Module:
        return build_model(config, len(self.catalog.users), len(self.catalog.items))

    def loss(self, logits: Tensor, items: Tensor) -> Tensor:
        if self.log_q is None:
            raise RuntimeError("the loss needs the training pairs' item shares (Task.data)")
        self.log_q = self.log_q.to(items.device)
        return in_batch_softmax(logits, items, self.log_q)

    def metrics(self, device: torch.device) -> RankingMetrics:
        return RankingMetrics(device, self.top_k)

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        return {"catalog": self.catalog.to_dict()}

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        saved = state["catalog"]
        if saved["users"] == self.catalog.users and saved["items"] == self.catalog.items:
            return
        was = (len(saved["users"]), len(saved["items"]))
        now = (len(self.catalog.users), len(self.catalog.items))
        raise ConfigError(
            f"{where} was trained on {was[0]} users and {was[1]} items, but data.source now "
            f"holds {now[0]} users and {now[1]} items{' (other ids)' if was == now else ''}"
        )

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "num_users": len(self.catalog.users),
            "num_items": len(self.catalog.items),
            "k": self.top_k,
        }
        if self.data is not None:
            result["baselines"] = {"popularity": popularity_baseline(self.data, self.top_k)}
        return result

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """Held-out users, repeated up to `batch`: the check compares the export with the eager
        model on users it is asked about. Rotated per batch size, so each check sees others."""
        if self.data is None:
            self.data = load_data(config.data, config.trainer.seed)
        ids = [self.data.catalog.users[u] for u in self.data.val_users]
        held_out = self.catalog.user_rows(ids)  # the checkpoint's rows for them
        rows = [(batch + i) % len(held_out) for i in range(batch)]
        return (torch.from_numpy(held_out[rows]),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        catalog = export_dir / CATALOG
        catalog.write_text(json.dumps(self.catalog.to_dict()) + "\n", encoding="utf-8")
        users, items = len(self.catalog.users), len(self.catalog.items)
        return {
            "catalog": str(catalog),
            "num_users": users,
            "num_items": items,
            "inputs": {"users": f"int64 [batch], rows of the catalogue's {users} users"},
            "outputs": {"scores": f"float32 [batch, {items}], one per catalogue item"},
        }
