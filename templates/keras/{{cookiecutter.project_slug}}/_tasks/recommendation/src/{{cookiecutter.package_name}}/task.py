"""What makes this a recommender for the common training code: the catalogue a run is trained on,
the in-batch softmax and its item shares, recall@k and NDCG@k over every held-out user with the
popularity baseline to beat, and what goes with an export."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from .data import Split, load_data, make_split
from .errors import ConfigError, ProjectError
from .interactions import Catalog
from .model import InBatchSoftmax
from .ranking import popularity_baseline, ranking_scores, ranking_sums
from .task_config import DataConfig

if TYPE_CHECKING:
    from .config import Config

ROUND_TRIP_USERS = 64  # held-out users the export is checked on
# The run's catalogue (users, items, what each user met in training) and the k of its scores.
META_FILE = "catalog.json"


@dataclass
class Meta:
    catalog: Catalog
    top_k: int  # the k of recall@k and NDCG@k
    log_q: np.ndarray  # float32 [items]: the log of each item's share of the training pairs


def write_meta(run: Path, meta: Meta) -> None:
    saved = {"top_k": meta.top_k, **meta.catalog.to_dict()}
    (Path(run) / META_FILE).write_text(json.dumps(saved) + "\n", encoding="utf-8")


def read_meta(run: Path) -> dict[str, Any]:
    path = Path(run) / META_FILE
    if not path.is_file():
        raise ProjectError(f"{run} has no {META_FILE}: was it trained to the end of an epoch?")
    return json.loads(path.read_text(encoding="utf-8"))


def new_split(config: Config, seed: int) -> Split:
    """The split a new run trains on."""
    data = load_data(config.data, seed)
    return make_split(data, Meta(data.catalog, config.model.top_k, data.catalog.log_item_shares()))


def run_split(data: DataConfig, seed: int, trained_on: dict[str, Any]) -> Split:
    """The split as the run's model reads it: the interactions loaded again, refused (one line)
    if they hold other users or items than the run was trained on."""
    loaded = load_data(data, seed)
    now = loaded.catalog
    if trained_on["users"] != now.users or trained_on["items"] != now.items:
        was = (len(trained_on["users"]), len(trained_on["items"]))
        other = " (other ids)" if was == (len(now.users), len(now.items)) else ""
        raise ConfigError(
            f"the run was trained on {was[0]} users and {was[1]} items, but data.source now "
            f"holds {len(now.users)} users and {len(now.items)} items{other}"
        )
    meta = Meta(Catalog.from_dict(trained_on), trained_on["top_k"], now.log_item_shares())
    return make_split(loaded, meta)


def loss(meta: Meta) -> keras.losses.Loss:
    return InBatchSoftmax(meta.log_q)


def train_metrics(meta: Meta) -> list[keras.metrics.Metric]:
    return []  # the held-out ranking says more, computed over the whole catalogue


def metric_names(meta: Meta) -> list[str]:
    """What `score` returns, in metrics.csv's column order."""
    return ["loss", "recall", "ndcg"]


def score(scores: np.ndarray, targets: np.ndarray, meta: Meta) -> dict[str, float]:
    """The full-catalogue softmax loss, recall@k and NDCG@k over every held-out user, in float64
    (`ranking.py`, the same code in every framework)."""
    return ranking_scores(ranking_sums(scores, targets, meta.top_k))


def summary(split: Split) -> dict[str, Any]:
    catalog, k = split.meta.catalog, split.meta.top_k
    return {
        "num_users": len(catalog.users),
        "num_items": len(catalog.items),
        "k": k,
        "baselines": {"popularity": popularity_baseline(split.data, k)},
    }


def export_files(meta: dict[str, Any]) -> dict[str, Any]:
    """Files written beside the artifact: catalog.json, the user ids of its input rows and the
    item ids of its output columns."""
    return {"catalog": Catalog.from_dict(meta).to_dict()}


def serving_model(model: keras.Model) -> keras.Model:
    """What `export` writes and `predict` runs: the whole model."""
    return model


def export_limit(model: keras.Model) -> int | None:
    return None  # user indices in, one score per catalogue item out: no length to bound


def round_trip_inputs(split: Split, data: DataConfig, export_dir: Path) -> list[list[np.ndarray]]:
    """Inputs to compare the export with the model on: held-out users at three batch sizes."""
    users = split.x_val[:ROUND_TRIP_USERS]
    return [[users], [users[:9]], [users[:1]]]
