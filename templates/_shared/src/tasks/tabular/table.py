"""Tables in, arrays out: reading a table, and the preprocessing fitted on its training rows.

Nothing here knows the framework. The preprocessing is fitted on the training rows only (means,
spreads, vocabularies) and saved beside the model, so evaluation, export and prediction transform
new rows exactly as training did, and no statistic of the held-out rows leaks into the model.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError

OBJECTIVES = ("classification", "regression")
SUFFIXES = (".csv", ".parquet")
# Integer targets with at most this many distinct values are class labels (0/1, ratings 1-5);
# more distinct integers are a count or an amount, predicted as a number.
MAX_INTEGER_CLASSES = 10
# A categorical column keeps its most frequent values; the rest share the unknown id 0, so an
# identifier-like column cannot grow one embedding row per training row.
MAX_VOCABULARY = 1000
# What each epoch can record, and the direction in which each one improves.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_accuracy": "max",
    "val_auc": "max",
    "val_rmse": "min",
    "val_mae": "min",
}


def read_frame(path: Path) -> pd.DataFrame:
    """A .csv or .parquet file as a DataFrame; one-line errors for what a user can fix."""
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"{path}: expected a .csv or .parquet file")
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    try:
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: cannot read it as a table: {first}") from exc
    if frame.empty:
        raise ConfigError(f"{path} has no rows")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def synthetic_table(num_samples: int, seed: int, target: str = "target") -> pd.DataFrame:
    """A learnable customer table: four numeric and two categorical columns, some values missing,
    and a yes/no target that depends on most of them (plus noise, so it is not trivially
    separable)."""
    rng = np.random.default_rng(seed)
    n = num_samples
    regions = np.array(["north", "south", "east", "west", "centre"])
    plans = np.array(["basic", "standard", "premium"])
    frame = pd.DataFrame(
        {
            "age": rng.normal(45, 12, n).round(),
            "income": rng.lognormal(10.5, 0.5, n).round(2),
            "tenure_months": rng.integers(0, 120, n).astype(float),
            "support_calls": rng.poisson(2, n).astype(float),
            "region": regions[rng.integers(0, len(regions), n)].astype(object),
            "plan": plans[rng.integers(0, len(plans), n)].astype(object),
        }
    )

    def z(column: str) -> pd.Series:
        return (frame[column] - frame[column].mean()) / frame[column].std()

    effects = [0.8, -0.6, 0.3, -0.9, 0.4]
    region_effect = frame["region"].map(dict(zip(regions, effects, strict=True)))
    plan_effect = frame["plan"].map({"basic": 0.9, "standard": 0.0, "premium": -1.1})
    logit = (
        1.2 * z("support_calls")
        - 1.0 * z("tenure_months")
        - 0.6 * np.log(frame["income"] / frame["income"].median())
        + 0.3 * z("age")
        + region_effect
        + plan_effect
        + rng.normal(0, 0.5, n)
    )
    frame[target] = np.where(logit > 0, "yes", "no").astype(object)
    # Missing after the target is drawn: what is missing still mattered, as in real data.
    for column, rate in (("income", 0.05), ("tenure_months", 0.03), ("region", 0.04)):
        frame.loc[rng.random(n) < rate, column] = None
    return frame


def read_table(source: str, *, target: str | None, num_samples: int, seed: int) -> pd.DataFrame:
    """The training table: synthetic, or a file whose `target` column is known. Rows without a
    target cannot be learned from and are dropped."""
    target = target or "target"
    if source == "synthetic":
        return synthetic_table(num_samples, seed, target)
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(f"data.source {str(path)!r} does not exist (or use 'synthetic')")
    frame = read_frame(path)
    if target not in frame.columns:
        shown = ", ".join(map(repr, list(frame.columns)[:8]))
        raise ConfigError(f"{path} has no target column {target!r} (data.target); it has {shown}")
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if len(frame) < 2:
        raise ConfigError(f"{path} has fewer than 2 rows with a value in {target!r}")
    if len(frame.columns) < 2:
        raise ConfigError(f"{path} has no feature column besides the target {target!r}")
    return frame


def infer_objective(values: pd.Series, objective: str) -> str:
    """Classification for strings, booleans and a few distinct integers; regression for other
    numbers. An explicit `data.objective` wins, but regression needs numbers."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if objective == "regression" and not numeric:
        raise ConfigError(
            f"data.objective = 'regression' needs a numeric target; {values.name!r} holds "
            f"values such as {values.iloc[0]!r}"
        )
    if objective in OBJECTIVES:
        return objective
    if not numeric:
        return "classification"
    if pd.api.types.is_integer_dtype(values) and values.nunique() <= MAX_INTEGER_CLASSES:
        return "classification"
    return "regression"


def split_indices(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-out row indices; the same seed holds out the same rows in every command."""
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


@dataclass
class Split:
    """A table's training and held-out rows, with the preprocessing of its training rows."""

    prep: Preprocessing
    train: pd.DataFrame
    val: pd.DataFrame


def load_split(
    source: str, *, target: str, objective: str, num_samples: int, val_fraction: float, seed: int
) -> Split:
    """The configured table, split by a seeded shuffle (the same rows held out in train, evaluate,
    export and on every rank), and the preprocessing fitted on the training rows only."""
    frame = read_table(source, target=target, num_samples=num_samples, seed=seed)
    objective = infer_objective(frame[target], objective)
    train_rows, val_rows = split_indices(len(frame), val_fraction, seed)
    train = frame.iloc[train_rows].reset_index(drop=True)
    val = frame.iloc[val_rows].reset_index(drop=True)
    return Split(Preprocessing.fit(train, target, objective), train, val)


def category_key(value: Any) -> str | None:
    """The vocabulary key of a cell: None when missing; 3.0 and 3 are the same category."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


@dataclass
class Preprocessing:
    """How raw rows become model inputs; fitted on the training rows, saved with the model."""

    target: str
    objective: str
    numeric: list[str] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    stds: list[float] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    vocabularies: list[list[str]] = field(default_factory=list)  # id 0: missing or unknown
    classes: list[str] = field(default_factory=list)  # classification: label i is classes[i]
    target_mean: float = 0.0  # regression: the model learns the standardised target
    target_std: float = 1.0

    @classmethod
    def fit(cls, frame: pd.DataFrame, target: str, objective: str) -> Preprocessing:
        features = [c for c in frame.columns if c != target]
        numeric = [c for c in features if _is_numeric(frame[c])]
        categorical = [c for c in features if c not in numeric]
        values = frame[numeric].to_numpy(np.float64) if numeric else np.zeros((len(frame), 0))
        # An all-missing column gets mean 0 and spread 1: it still carries its missing indicator.
        means = np.nan_to_num(np.nanmean(values, axis=0)) if numeric else np.zeros(0)
        stds = np.nan_to_num(np.nanstd(values, axis=0)) if numeric else np.zeros(0)
        stds = np.where(stds > 1e-12, stds, 1.0)
        vocabularies = []
        for column in categorical:
            keys = frame[column].map(category_key).dropna()
            counts = keys.value_counts()
            vocabularies.append(sorted(counts.index[:MAX_VOCABULARY].tolist()))
        prep = cls(
            target=target,
            objective=objective,
            numeric=numeric,
            means=[float(v) for v in means],
            stds=[float(v) for v in stds],
            categorical=categorical,
            vocabularies=vocabularies,
        )
        y = frame[target]
        if objective == "classification":
            if _is_numeric(y):
                prep.classes = [category_key(v) or "" for v in sorted(y.unique())]
            else:
                prep.classes = sorted({str(category_key(v)) for v in y})
            if len(prep.classes) < 2:
                raise ConfigError(
                    f"the target {target!r} has one class ({prep.classes[0]!r}) in the training "
                    "rows; a classifier needs at least 2"
                )
        else:
            prep.target_mean = float(y.mean())
            prep.target_std = float(y.std(ddof=0)) or 1.0
        return prep

    @property
    def num_outputs(self) -> int:
        return len(self.classes) if self.objective == "classification" else 1

    def check_columns(self, frame: pd.DataFrame, where: str) -> None:
        missing = [c for c in (*self.numeric, *self.categorical) if c not in frame.columns]
        if missing:
            raise ConfigError(
                f"{where} has no column {missing[0]!r}, which the model was trained on "
                f"(it needs {', '.join(map(repr, [*self.numeric, *self.categorical]))})"
            )

    def numeric_values(self, frame: pd.DataFrame) -> np.ndarray:
        """float32 [rows, numeric columns], raw, NaN where missing: the model standardises."""
        columns = []
        for column in self.numeric:
            try:
                columns.append(pd.to_numeric(frame[column], errors="raise").to_numpy(np.float32))
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"column {column!r} must hold numbers: {exc}") from exc
        if not columns:
            return np.zeros((len(frame), 0), np.float32)
        return np.stack(columns, axis=1).astype(np.float32)

    def category_ids(self, frame: pd.DataFrame) -> np.ndarray:
        """int64 [rows, categorical columns]: vocabulary index + 1, or 0 for missing or unseen."""
        columns = []
        for column, vocabulary in zip(self.categorical, self.vocabularies, strict=True):
            index = {value: i + 1 for i, value in enumerate(vocabulary)}
            keys = frame[column].map(category_key)
            columns.append(np.array([index.get(k, 0) for k in keys], np.int64))
        if not columns:
            return np.zeros((len(frame), 0), np.int64)
        return np.stack(columns, axis=1)

    def labels(self, frame: pd.DataFrame) -> np.ndarray:
        """Class ids (int64), or the standardised target (float32) for regression."""
        y = frame[self.target]
        if self.objective == "regression":
            standardised = (y.to_numpy(np.float64) - self.target_mean) / self.target_std
            return standardised.astype(np.float32)
        index = {name: i for i, name in enumerate(self.classes)}
        keys = y.map(category_key)
        unknown = [k for k in keys if k not in index]
        if unknown:
            raise ConfigError(
                f"target {self.target!r} holds the class {unknown[0]!r}, which no training row "
                f"has (classes: {', '.join(self.classes[:8])})"
            )
        return np.array([index[k] for k in keys], np.int64)

    def decode(self, outputs: np.ndarray) -> list[dict[str, Any]]:
        """Model outputs (logits, or standardised values) as labels with probabilities, or values
        in the target's units."""
        outputs = np.asarray(outputs, np.float64)
        if self.objective == "regression":
            values = outputs.reshape(-1) * self.target_std + self.target_mean
            return [{"value": float(v)} for v in values]
        probabilities = softmax(outputs.reshape(len(outputs), -1))
        best = probabilities.argmax(axis=1)
        return [
            {"label": self.classes[i], "probability": float(p[i])}
            for i, p in zip(best, probabilities, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        return cls(**data)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Preprocessing:
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: not a preprocessing file of this project ({exc})") from exc


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
