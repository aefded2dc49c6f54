"""What image classification gives the common loop, evaluation and export: the loss, an epoch's
metrics, what checkpoints and exports record about the classes, and example inputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import Config
from .config_io import ConfigError
from .data import Loaders
from .distributed import Distributed
from .model import build_model

LABELS = "labels.json"  # beside an export: output i of the model is the logit of labels[i]


class Accuracy:
    """Loss and accuracy as sums over batches, then over ranks: exact however the split is cut."""

    def __init__(self, device: torch.device) -> None:
        self.totals = torch.zeros(3, device=device)  # loss sum, correct, count; float32 for MPS

    def update(self, logits: Tensor, labels: Tensor) -> None:
        self.totals[0] += F.cross_entropy(logits.float(), labels, reduction="sum")
        self.totals[1] += (logits.argmax(dim=1) == labels).sum()
        self.totals[2] += labels.numel()

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        if ctx is not None:
            ctx.all_sum(self.totals)
        loss_sum, correct, count = self.totals.tolist()
        count = max(count, 1.0)
        return {"loss": loss_sum / count, "accuracy": correct / count, "num_samples": int(count)}


@dataclass
class Task:
    classes: list[str]  # classes[label] names the label; the model has one output per class

    metric_names: ClassVar[list[str]] = ["val_loss", "val_accuracy"]
    input_names: ClassVar[list[str]] = ["pixels"]
    output_name: ClassVar[str] = "logits"
    dynamic_dims: ClassVar[tuple[int, ...]] = (0,)  # the export's symbolic dimensions

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.classes)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        return cls(list(state["classes"]))

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        return cls(json.loads((export_dir / LABELS).read_text(encoding="utf-8")))

    def resolve(self, config: Config) -> None:
        """Record what the data decided in the run's config, which evaluate checks against."""
        config.data.num_classes = len(self.classes)

    def build_model(self, config: Config) -> nn.Module:
        return build_model(config, len(self.classes))

    def loss(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(logits, labels)

    def metrics(self, device: torch.device) -> Accuracy:
        return Accuracy(device)

    def state(self) -> dict[str, Any]:
        """What every checkpoint records about the task."""
        return {"classes": list(self.classes)}

    def check_state(self, state: dict[str, Any], where: Path) -> None:
        if list(state["classes"]) != self.classes:
            raise ConfigError(
                f"{where} was trained on {len(state['classes'])} classes, but data.source now "
                f"holds {len(self.classes)} other ones"
            )

    def summary(self) -> dict[str, Any]:
        return {"num_classes": len(self.classes)}

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """Random pixels in [0, 1] of the shape the checkpoint was trained on."""
        data = state["config"]["data"]
        shape = (batch, data["channels"], data["image_size"], data["image_size"])
        return (torch.rand(shape, generator=generator),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        labels = export_dir / LABELS
        labels.write_text(json.dumps(self.classes, indent=2) + "\n", encoding="utf-8")
        shape = list(example[0].shape)
        return {"labels": str(labels), "classes": self.classes, "input_shape": shape}
