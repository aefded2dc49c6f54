"""`predict`: the class of each image file, from a run's checkpoint or its exported program."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from PIL import UnidentifiedImageError

from .config import Config
from .config_io import ConfigError
from .errors import ProjectError
from .inference import load_predictor
from .sources import load_image


def read_images(paths: list[str], config: Config) -> torch.Tensor:
    """The images at the size and channels the run trained on, as one batch."""
    if config.data.channels not in (1, 3):
        raise ConfigError(
            f"predict reads grey or RGB images, not data.channels = {config.data.channels}"
        )
    mode = "L" if config.data.channels == 1 else "RGB"
    images = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise ProjectError(f"no image at {path}")
        try:
            images.append(load_image(path, config.data.image_size, mode))
        except (UnidentifiedImageError, OSError) as exc:
            raise ProjectError(f"{path} is not a readable image: {exc}") from exc
    return torch.stack(images)


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    images = read_images(inputs, config)  # bad input fails before a model is loaded
    model, task, source = load_predictor(run, checkpoint, exported)
    size = config.data.batch_size
    logits = torch.cat([model(images[i : i + size]) for i in range(0, len(images), size)])
    probabilities, labels = logits.float().softmax(dim=1).max(dim=1)
    return {
        "run_dir": str(run),
        "source": str(source),
        "predictions": [
            {"input": name, "label": task.classes[label], "probability": p}
            for name, label, p in zip(inputs, labels.tolist(), probabilities.tolist(), strict=True)
        ],
    }
