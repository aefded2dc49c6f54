"""What a clip set gives the common loop, evaluation and export: cross-entropy, accuracy and
macro-F1 over every held-out clip, the classes checkpoints and exports carry, and held-out clips
for the export's check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .clips import Clips
from .config import Config
from .config_io import ConfigError
from .data import Loaders, load_audio
from .distributed import Distributed
from .gathered import GatheredOutputs
from .model import build_model
from .scores import EPOCH_METRICS, majority_baseline, score

LABELS = "labels.json"  # beside an export: output i of the model is the logit of labels[i]


class ClipMetrics(GatheredOutputs):
    """The loss and the scores over every held-out clip. Macro-F1 is not a sum over batches, so
    the ranks gather their logits instead of adding up sums."""

    def compute(self, ctx: Distributed | None = None) -> dict[str, float]:
        outputs, labels = self.gathered(ctx)
        return {
            "loss": F.cross_entropy(outputs, labels).item(),
            **score(outputs.numpy(), labels.numpy()),
            "num_samples": len(labels),
        }


@dataclass
class Task:
    classes: list[str]  # classes[label] names the label; the model has one output per class
    clips: Clips | None = None  # the training and held-out clips, where they were loaded
    sample_rate: int | None = None  # of a checkpoint's clips, which its export states

    input_names: ClassVar[list[str]] = ["waveforms"]
    output_name: ClassVar[str] = "logits"
    # The batch stays symbolic; the clip length is fixed by data.sample_rate and clip_seconds.
    dynamic_dims: ClassVar[tuple[int, ...]] = (0,)

    @classmethod
    def from_loaders(cls, loaders: Loaders) -> Task:
        return cls(loaders.clips.classes, loaders.clips)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Task:
        return cls(list(state["classes"]), sample_rate=state["config"]["data"]["sample_rate"])

    @classmethod
    def from_export(cls, export_dir: Path) -> Task:
        return cls(json.loads((export_dir / LABELS).read_text(encoding="utf-8")))

    @property
    def metric_names(self) -> list[str]:
        return list(EPOCH_METRICS)

    def resolve(self, config: Config) -> None:
        """Nothing for the data to decide: the classes travel in the state."""

    def build_model(self, config: Config) -> nn.Module:
        return build_model(config, len(self.classes))

    def loss(self, outputs: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(outputs, labels)

    def metrics(self, device: torch.device) -> ClipMetrics:
        return ClipMetrics()

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
        result: dict[str, Any] = {"num_classes": len(self.classes)}
        if self.clips is not None:
            c = self.clips
            majority = majority_baseline(c.train_labels, c.val_labels, len(self.classes))
            result["baselines"] = {"majority": majority}
        return result

    def example_inputs(
        self, state: dict[str, Any], config: Config, batch: int, generator: torch.Generator
    ) -> tuple[Tensor, ...]:
        """Held-out clips, repeated up to `batch`: the check compares the export with the eager
        model on real sounds. Rotated per batch size, so each check sees other clips."""
        if self.clips is None:
            self.clips = load_audio(config.data, config.trainer.seed)
        waves = self.clips.val_waves
        rows = [(batch + i) % len(waves) for i in range(batch)]
        return (torch.from_numpy(waves[rows]),)

    def write_export_files(self, export_dir: Path, example: tuple[Tensor, ...]) -> dict[str, Any]:
        labels = export_dir / LABELS
        labels.write_text(json.dumps(self.classes, indent=2) + "\n", encoding="utf-8")
        samples = example[0].shape[1]
        return {
            "labels": str(labels),
            "classes": self.classes,
            "inputs": {"waveforms": f"float32 [batch, {samples}] at {self.sample_rate} Hz"},
        }
