"""What a table gives the common loop, evaluation and export: the loss of its objective, an
epoch's metrics, the preprocessing that checkpoints and exports carry, and example rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .data import Loaders, load_table
from .distributed import Distributed
from .gathered import GatheredOutputs
from .model import build_model
from .scores import baselines, epoch_metric_names, score
from .table import Preprocessing, Split

# Beside an export: the vocabularies and statistics that turn raw rows into the program's inputs.
PREPROCESSING = "preprocessing.json"


class TableMetrics(GatheredOutputs):
    """The loss and the objective's scores over every held-out row. AUC ranks all rows at once,
    so the ranks gather their outputs instead of adding up sums."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        outputs, labels = self.gathered(ctx)
        prep = self.task.prep
        return {
            "loss": self.task.loss(outputs, labels).item(),
            **score(prep.objective, outputs.numpy(), labels.numpy(), prep),
            "num_samples": len(labels),
        }


@dataclass
class Task:
    prep: Preprocessing
    table: Split | None = None  # the training and held-out rows, where they were loaded

    input_names: ClassVar[list[str]] = ["numeric", "categorical"]
    output_name: ClassVar[str] = "outputs"
    dynamic_dims: ClassVar[tuple[int, ...]] = (0,)  # the export's symbolic dimensions

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.table.prep, loaders.table)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        return cls(Preprocessing.from_dict(state["preprocessing"]))

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        return cls(Preprocessing.load(export_dir / PREPROCESSING))

    @property
    def metric_names(self) -> list[str]:
        return epoch_metric_names(self.prep.objective)

    def resolve(self, config: Config) -> None:
        """Record the objective the data decided, and refuse a best metric it does not have."""
        config.data.objective = self.prep.objective  # type: ignore[assignment]
        allowed = ["train_loss", *self.metric_names]
        if config.trainer.best_metric not in allowed:
            raise ConfigError(
                f"trainer.best_metric = {config.trainer.best_metric!r} is not recorded for "
                f"{self.prep.objective}; use one of {', '.join(map(repr, allowed))}"
            )

    def build_model(self, config: Config) -> nn.Module:
        return build_model(config, self.prep)

    def loss(self, outputs: Tensor, labels: Tensor) -> Tensor:
        if self.prep.objective == "regression":
            # The target is standardised, so the loss has the same scale on every table.
            return F.mse_loss(outputs.squeeze(-1), labels)
        return F.cross_entropy(outputs, labels)

    def metrics(self, device: torch.device) -> TableMetrics:
        return TableMetrics(self)

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        return {"preprocessing": self.prep.to_dict()}

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        if state["preprocessing"] != self.prep.to_dict():
            raise ConfigError(
                f"{where} was fitted on other columns, classes or training rows than data.source "
                "now holds"
            )

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"objective": self.prep.objective}
        if self.prep.objective == "classification":
            result["num_classes"] = len(self.prep.classes)
        if self.table is not None:
            result["baselines"] = baselines(self.prep, self.table.train, self.table.val)
        return result

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """The first held-out rows, raw (missing values and all), repeated up to `batch`."""
        if self.table is None:
            self.table = load_table(config.data, config.trainer.seed)
        rows = self.table.val
        frame = rows.iloc[np.arange(batch) % len(rows)]
        numeric, categorical = self.prep.numeric_values(frame), self.prep.category_ids(frame)
        return torch.from_numpy(numeric), torch.from_numpy(categorical)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        path = export_dir / PREPROCESSING
        self.prep.save(path)
        columns = {"numeric": self.prep.numeric, "categorical": self.prep.categorical}
        return {"preprocessing": str(path), "objective": self.prep.objective, "inputs": columns}
