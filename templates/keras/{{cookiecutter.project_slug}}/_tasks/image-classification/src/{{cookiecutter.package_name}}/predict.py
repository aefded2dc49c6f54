"""Class predictions for image files, from a run's checkpoint or from its exported artifact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .data import load_image
from .errors import ProjectError
from .export import load_predictor
from .task import read_meta


def read_images(inputs: list[str], config: Config) -> np.ndarray:
    """The images as the model was trained on them (size, channels, [0, 1] pixels)."""
    images = []
    for name in inputs:
        path = Path(name)
        if not path.is_file():
            raise ProjectError(f"no image at {path}")
        try:
            images.append(load_image(path, config.data))
        except (OSError, ValueError) as exc:  # Pillow's "cannot identify image file"
            raise ProjectError(f"{path} is not a readable image: {exc}") from exc
    return np.stack(images)


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict[str, Any]:
    class_names = read_meta(run)
    x = read_images(inputs, config)
    predictor, source = load_predictor(run, checkpoint, exported)
    logits = np.asarray(predictor([x]), dtype="float64")
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    predictions = [
        {"input": name, "label": class_names[int(p.argmax())], "probability": float(p.max())}
        for name, p in zip(inputs, probabilities, strict=True)
    ]
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
