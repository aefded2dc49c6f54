"""The tabular task's serving artifact: a SavedModel that takes raw rows, and its check.

    <run>/export/saved_model/          serving_default: numeric float32 [batch, n] (NaN where
                                       missing), categorical string [batch, m] -> logits,
                                       probabilities, class_id, class_name (classification)
                                       or value, in the target's units (regression)
    <run>/export/preprocessing.json    the columns in input order, vocabularies, classes

The vocabulary lookup is in the graph (one `tf.lookup.StaticHashTable` per column, unseen or
empty strings -> id 0, as in training), so a client sends the cells as strings and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf

from .config import Config
from .data import features, load_split
from .signatures import SIGNATURE, class_outputs
from .table import Preprocessing, category_key

FILES = ("saved_model", "preprocessing")  # result keys that name files of the export


class Predictor(tf.Module):
    """The serving wrapper: raw numbers and category strings in, decoded predictions out."""

    def __init__(self, model: tf.keras.Model, prep: Preprocessing) -> None:
        super().__init__(name="predictor")
        self.model = model
        self.tables = [_lookup_table(vocabulary) for vocabulary in prep.vocabularies]
        self.classes = tf.constant(prep.classes, tf.string)
        self.target_mean, self.target_std = prep.target_mean, prep.target_std
        self.regression = prep.objective == "regression"
        # Batch dimension None: one signature serves any batch size.
        numeric = tf.TensorSpec([None, len(prep.numeric)], tf.float32, name="numeric")
        categorical = tf.TensorSpec([None, len(prep.categorical)], tf.string, name="categorical")
        self.serve = tf.function(self._serve, input_signature=[numeric, categorical])

    def _serve(self, numeric: tf.Tensor, categorical: tf.Tensor) -> dict[str, tf.Tensor]:
        ids = [table.lookup(categorical[:, j]) for j, table in enumerate(self.tables)]
        stacked = tf.stack(ids, axis=1) if ids else tf.zeros([tf.shape(numeric)[0], 0], tf.int64)
        outputs = self.model({"numeric": numeric, "categorical": stacked}, training=False)
        if self.regression:
            return {"value": outputs * self.target_std + self.target_mean}
        return class_outputs(outputs, self.classes)


def _lookup_table(vocabulary: list[str]) -> tf.lookup.StaticHashTable:
    keys = tf.constant(vocabulary, tf.string, shape=[len(vocabulary)])
    values = tf.range(1, len(vocabulary) + 1, dtype=tf.int64)
    initializer = tf.lookup.KeyValueTensorInitializer(keys, values)
    return tf.lookup.StaticHashTable(initializer, default_value=0)


def raw_inputs(prep: Preprocessing, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A frame's rows as the signature takes them: numbers, and each category cell as a string
    (an empty one where missing)."""
    cells = [frame[c].map(category_key).fillna("").astype(str).to_numpy() for c in prep.categorical]
    categorical = np.stack(cells, axis=1) if cells else np.zeros((len(frame), 0), np.str_)
    return {"numeric": prep.numeric_values(frame), "categorical": categorical.astype(object)}


def write_and_check(config: Config, model, prep: Preprocessing, folder: Path) -> dict:
    saved_model, preprocessing = folder / "saved_model", folder / "preprocessing.json"
    prep.save(preprocessing)
    module = Predictor(model, prep)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})

    # The held-out rows as they are in the table, through the graph's own lookup.
    rows = load_split(config.data, config.trainer.seed).val.iloc[: config.export.check_batch]
    expected = model(features(prep, rows), training=False).numpy()
    outputs = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE](
        **{k: tf.constant(v) for k, v in raw_inputs(prep, rows).items()}
    )
    result = {
        "objective": prep.objective,
        "saved_model": str(saved_model),
        "preprocessing": str(preprocessing),
        "signature": SIGNATURE,
        "check_rows": len(rows),
    }
    if prep.objective == "regression":
        # Compared standardised, so the tolerance does not depend on the target's units.
        values = (outputs["value"].numpy() - prep.target_mean) / prep.target_std
        result["max_abs_diff"] = float(np.max(np.abs(values - expected)))
        return result
    names = [n.decode() for n in outputs["class_name"].numpy()]
    result["max_abs_diff"] = float(np.max(np.abs(outputs["logits"].numpy() - expected)))
    result["class_names_match"] = names == [prep.classes[i] for i in expected.argmax(axis=-1)]
    return result
