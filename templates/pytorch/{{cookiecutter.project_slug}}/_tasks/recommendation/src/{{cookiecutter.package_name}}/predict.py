"""`predict`: the `model.top_k` best items for each user id, from a run's checkpoint or its
exported program, leaving out the items the user met in training. The model scores the user
against every item of the catalogue (brute force); the README says what to use instead for a
catalogue too large for that."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from .checkpoint import BEST, load_checkpoint
from .config import Config
from .export import EXPORT_DIR
from .inference import load_predictor
from .interactions import Catalog
from .model import model_from_checkpoint
from .task import CATALOG, Task


def load_for(
    users: list[str], run: Path, checkpoint: Path | None, exported: bool
) -> tuple[Callable[..., torch.Tensor], Task, Path]:
    """`inference.load_predictor`, once the catalogue beside the model knows every user id: an
    unknown id fails before a model is loaded."""
    if exported:
        path = run / EXPORT_DIR / CATALOG
        if path.is_file():  # else load_predictor says what is missing
            Catalog.from_dict(json.loads(path.read_text(encoding="utf-8"))).user_rows(users)
        return load_predictor(run, checkpoint, exported)
    path = Path(checkpoint or run / BEST)
    state = load_checkpoint(path)
    task = Task.from_state(state)
    task.catalog.user_rows(users)
    return model_from_checkpoint(state), task, path


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    model, task, source = load_for(inputs, run, checkpoint, exported)
    rows, size = task.catalog.user_rows(inputs), config.data.batch_size
    users = torch.from_numpy(rows)
    scores = torch.cat([model(users[i : i + size]) for i in range(0, len(users), size)])
    best = task.catalog.top_k(scores.float().numpy(), rows, config.model.top_k)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": user, "items": [{"item": item, "score": s} for item, s in items]}
            for user, items in zip(inputs, best, strict=True)
        ],
    }
