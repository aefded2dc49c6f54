"""An MLP over standardised numbers, their missing indicators and one embedding per categorical
column, built with the functional API.

The normalisation and the vocabulary sizes come from the training rows and live in the model's
own layers, so a checkpoint or an export takes raw numbers (NaN where missing) and category ids.
The vocabulary lookup itself (string -> id) stays outside the graph, in `preprocessing.json`: the
ONNX export of the PyTorch backend has no string tensors, and one input contract serves every
backend's artifact the same way.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .table import Preprocessing
from .task_config import DataConfig, ModelConfig


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class Standardize(layers.Layer):
    """Raw numbers -> standardised values (a missing one becomes 0, the training mean), followed
    by one missing indicator per column: the model learns what "missing" means."""

    def __init__(self, means: list[float], stds: list[float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.means, self.stds = list(means), list(stds)

    def call(self, x):
        missing = ops.isnan(x)
        means = ops.convert_to_tensor(self.means, x.dtype)
        # A missing value is replaced by the mean before the arithmetic (NaN - mean stays NaN).
        z = (ops.where(missing, means, x) - means) / ops.convert_to_tensor(self.stds, x.dtype)
        return ops.concatenate([z, ops.cast(missing, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2 * input_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "means": self.means, "stds": self.stds}


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class CategoryEmbedding(layers.Layer):
    """One embedding table per categorical column, held as one weight: column i's ids are offset
    past the rows of the columns before it. Id 0 of every column is missing or unseen."""

    def __init__(self, vocabulary_sizes: list[int], dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.vocabulary_sizes, self.dim = list(vocabulary_sizes), dim
        starts = [0]
        for size in self.vocabulary_sizes[:-1]:
            starts.append(starts[-1] + size)
        self.offsets = starts

    def build(self, input_shape) -> None:
        self.embeddings = self.add_weight(
            shape=(sum(self.vocabulary_sizes), self.dim), initializer="uniform", name="embeddings"
        )

    def call(self, ids):
        rows = ops.cast(ids, "int32") + ops.convert_to_tensor(self.offsets, "int32")
        vectors = ops.take(self.embeddings, rows, axis=0)  # [batch, columns, dim]
        return ops.reshape(vectors, (-1, len(self.vocabulary_sizes) * self.dim))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.vocabulary_sizes) * self.dim)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "vocabulary_sizes": self.vocabulary_sizes,
            "dim": self.dim,
        }


def build_model(
    data: DataConfig, cfg: ModelConfig, prep: Preprocessing, seed: int = 0
) -> keras.Model:
    inputs, parts = [], []
    if prep.numeric:
        numeric = keras.Input(shape=(len(prep.numeric),), name="numeric")
        # float32 whatever the dtype policy: standardising in bfloat16 would lose the values.
        parts.append(
            Standardize(prep.means, prep.stds, dtype="float32", name="standardize")(numeric)
        )
        inputs.append(numeric)
    if prep.categorical:
        categorical = keras.Input(shape=(len(prep.categorical),), dtype="int32", name="categorical")
        sizes = [len(v) + 1 for v in prep.vocabularies]  # + the shared missing/unseen id 0
        parts.append(CategoryEmbedding(sizes, cfg.embedding_dim, name="embed")(categorical))
        inputs.append(categorical)
    x = parts[0] if len(parts) == 1 else layers.Concatenate(name="features")(parts)
    for i, width in enumerate(cfg.hidden, start=1):
        x = layers.Dense(width, activation="relu", name=f"hidden{i}")(x)
        x = layers.Dropout(cfg.dropout, seed=seed + i, name=f"dropout{i}")(x)
    # Logits (or the standardised target) stay float32 under mixed precision.
    outputs = layers.Dense(prep.num_outputs, dtype="float32", name="outputs")(x)
    return keras.Model(inputs, outputs, name="tabular_mlp")
