"""The model: an MLP over standardised numbers, their missing indicators and one embedding per
categorical column.

The training split's means and spreads are constants of the model, so it takes raw numbers (NaN
where missing) and the checkpoint alone reproduces its outputs; the categories arrive as
vocabulary ids (`table.py`), which keeps every op of the step XLA-compilable. The export adds the
string-to-id lookup in front (see `serving.py`).
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .table import Preprocessing

layers = tf.keras.layers


class Standardize(layers.Layer):
    """Raw numbers -> (value - mean) / std with missing values at 0 (the mean), and a 0/1 flag
    per column saying which were missing, so the model can still tell them apart."""

    def __init__(self, means: list[float], stds: list[float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.means = tf.constant(means, tf.float32)
        self.stds = tf.constant(stds, tf.float32)

    def call(self, values: tf.Tensor) -> tf.Tensor:
        missing = tf.math.is_nan(values)
        standardised = tf.where(missing, 0.0, (values - self.means) / self.stds)
        return tf.concat([standardised, tf.cast(missing, tf.float32)], axis=-1)


def build_model(
    config: Config, prep: Preprocessing, dtype_policy: str | None = None
) -> tf.keras.Model:
    """{"numeric": float32 [batch, n], "categorical": int64 [batch, m]} -> logits [batch, classes],
    or the standardised target [batch] for regression.

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the compute dtype of the
    hidden layers; variables and outputs stay float32, so the loss never runs in reduced
    precision.
    """
    m, dtype = config.model, dtype_policy or "float32"
    numeric = tf.keras.Input((len(prep.numeric),), dtype="float32", name="numeric")
    categorical = tf.keras.Input((len(prep.categorical),), dtype="int64", name="categorical")
    parts = [Standardize(prep.means, prep.stds, dtype="float32")(numeric)]
    # Id 0 is missing or unseen, so each table has one row more than its vocabulary.
    parts += [
        layers.Embedding(len(vocabulary) + 1, m.embedding_dim, dtype=dtype)(categorical[:, j])
        for j, vocabulary in enumerate(prep.vocabularies)
    ]
    x = layers.Concatenate(dtype=dtype)(parts) if len(parts) > 1 else parts[0]
    for units in m.hidden:
        x = layers.Dense(units, activation="relu", dtype=dtype)(x)
        x = layers.Dropout(m.dropout, dtype=dtype)(x)
    outputs = layers.Dense(prep.num_outputs, dtype="float32", name="outputs")(x)
    if prep.objective == "regression":
        outputs = layers.Reshape((), dtype="float32", name="value")(outputs)
    inputs = {"numeric": numeric, "categorical": categorical}
    return tf.keras.Model(inputs, outputs, name="tabular_mlp")
