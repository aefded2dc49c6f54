"""What a run keeps on disk: the resumable training state and the best model.

`resume.npz` holds every variable training depends on: the model's weights, the state of its
random seed generators (dropout masks) and the optimizer's slots and step count, with the run's
progress (epochs done, best metric so far, early-stopping count) in the same file, written whole
by one rename. `model.save_weights` alone would not do: it leaves the seed generators out, so a
resumed run would draw different dropout masks from an unbroken one.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import keras
import numpy as np

# Imported for its side effect: the task's own layer classes, if any, register for loading.
from . import model as _model  # noqa: F401
from .errors import ProjectError

RESUME = "resume.npz"
BEST = "best.keras"
_STATE_KEY = "__state__"


@dataclasses.dataclass
class RunState:
    """Progress of a run, as of its last completed epoch."""

    epochs_completed: int = 0
    best_value: float | None = None
    best_epoch: int | None = None
    epochs_since_best: int = 0
    last: dict[str, float] = dataclasses.field(default_factory=dict)  # the last epoch's metrics

    def improves(self, value: float, mode: str) -> bool:
        if self.best_value is None:
            return True
        return value < self.best_value if mode == "min" else value > self.best_value


def training_variables(model: keras.Model) -> list[keras.Variable]:
    """Everything a training step reads and changes. The optimizer must be built."""
    return [*model.variables, *model.optimizer.variables]


def save_state(model: keras.Model, run: Path, state: RunState) -> Path:
    variables = training_variables(model)
    arrays = {f"v{i}": keras.ops.convert_to_numpy(v.value) for i, v in enumerate(variables)}
    meta = {"state": dataclasses.asdict(state), "shapes": [list(v.shape) for v in variables]}
    path = Path(run) / RESUME
    tmp = path.with_name(f".{RESUME}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays, **{_STATE_KEY: np.asarray(json.dumps(meta))})
    os.replace(tmp, path)  # a kill while writing leaves the previous state intact
    return path


def _read(run: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    path = Path(run) / RESUME
    if not path.is_file():
        raise ProjectError(
            f"nothing to resume in {run}: it has no {RESUME} yet; train again without --resume"
        )
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop(_STATE_KEY))), arrays


def read_state(run: Path) -> RunState:
    return RunState(**_read(run)[0]["state"])


def restore_state(model: keras.Model, run: Path) -> RunState:
    """Put the model, its seed generators and its optimizer back as they were saved."""
    meta, arrays = _read(run)
    variables = training_variables(model)
    # Matched by position and shape: variable names carry counters that differ between
    # processes (`adam_1`, `seed_generator_3`), the order in which the model creates them does not.
    if meta["shapes"] != [list(v.shape) for v in variables]:
        raise ProjectError(
            f"{Path(run) / RESUME} does not match this model; was model.* or data.* changed "
            "since the run started? Resume with the run's own config.toml"
        )
    for i, variable in enumerate(variables):
        variable.assign(arrays[f"v{i}"])
    return RunState(**meta["state"])


def load_checkpoint(run: Path, checkpoint: Path | None = None) -> tuple[keras.Model, Path]:
    """The run's best model (or `checkpoint`), loaded in Keras's default safe mode."""
    path = Path(checkpoint) if checkpoint else Path(run) / BEST
    if not path.is_file():
        hint = "pass --checkpoint FILE.keras" if checkpoint else "train it for an epoch first"
        raise ProjectError(f"no checkpoint at {path}: {hint}")
    # safe_mode stays on: the model holds built-in and registered layers, no code is deserialized.
    return keras.saving.load_model(path), path
