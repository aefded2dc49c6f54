"""The recommendation task's serving artifact: a SavedModel that scores users against the whole
catalogue (brute-force retrieval), and the catalogue beside it.

    <run>/export/saved_model/   serving_default: users int64 [batch] (any batch; rows of
                                catalog.json's users) -> scores float32 [batch, items], one per
                                item of catalog.json's items
    <run>/export/catalog.json   {"users": [...], "items": [...], "seen": [[...], ...]}: the ids
                                behind the rows and columns, and the items each user met in
                                training (which a recommendation leaves out)

For a catalogue too large to score whole, serve the user tower alone and look its vector up in an
approximate nearest-neighbour index over the item table (see the README).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .data import load_split
from .signatures import SIGNATURE
from .task import RankingSpec

FILES = ("saved_model", "catalog")  # result keys that name files of the export
CATALOG = "catalog.json"


class Recommender(tf.Module):
    """The serving wrapper: user indices in, a score for every item out."""

    def __init__(self, model: tf.keras.Model) -> None:
        super().__init__(name="recommender")
        self.model = model
        users = tf.TensorSpec([None], tf.int64, name="users")
        self.serve = tf.function(self._serve, input_signature=[users])

    def _serve(self, users: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"scores": self.model(users, training=False)}


def held_out_users(config: Config, spec: RankingSpec, count: int) -> np.ndarray:
    """The checkpoint's rows of the first `count` held-out users: what the export is checked on."""
    data = load_split(config.data, config.trainer.seed)
    ids = [data.catalog.users[u] for u in data.val_users[:count]]
    return spec.catalog.user_rows(ids)


def write_and_check(config: Config, model, spec: RankingSpec, folder: Path) -> dict:
    saved_model, catalog = folder / "saved_model", folder / CATALOG
    module = Recommender(model)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})
    catalog.write_text(json.dumps(spec.catalog.to_dict()) + "\n", encoding="utf-8")

    users = held_out_users(config, spec, config.export.check_batch)
    serve = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE]
    # Two batch sizes: the whole check batch, and a single user.
    shapes, diffs = [], []
    for batch in (users, users[:1]):
        expected = model(tf.constant(batch), training=False).numpy()
        scores = serve(users=tf.constant(batch))["scores"].numpy()
        diffs.append(float(np.max(np.abs(scores - expected))))
        shapes.append(list(batch.shape))
    num_users, num_items = len(spec.catalog.users), len(spec.catalog.items)
    return {
        "saved_model": str(saved_model),
        "catalog": str(catalog),
        "signature": SIGNATURE,
        "num_users": num_users,
        "num_items": num_items,
        "input": f"users int64 [batch], rows of the catalogue's {num_users} users",
        "output": f"scores float32 [batch, {num_items}], one per catalogue item",
        "check_users": len(users),
        "checked_shapes": shapes,
        "max_abs_diff": max(diffs),
    }
