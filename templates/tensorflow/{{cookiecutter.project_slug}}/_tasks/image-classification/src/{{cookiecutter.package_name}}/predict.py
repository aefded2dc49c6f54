"""Prediction for image files, with a run's checkpoint or its exported SavedModel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .data import conformer
from .errors import ConfigError
from .export import exported as exported_folder
from .signatures import SIGNATURE


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict:
    """The most likely class of each image, and its probability."""
    images = np.stack([read_image(config, Path(p)) for p in inputs])
    if exported:
        source = exported_folder(run) / "saved_model"
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]
        outputs = serve(images=tf.constant(images))
        probabilities = outputs["probabilities"].numpy()
        labels = [name.decode() for name in outputs["class_name"].numpy()]
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, class_names = load_trained_model(config, str(source))
        probabilities = tf.nn.softmax(model(images, training=False)).numpy()
        labels = [class_names[i] for i in probabilities.argmax(axis=-1)]
    predictions = [
        {"input": name, "label": label, "probability": float(p.max())}
        for name, label, p in zip(inputs, labels, probabilities, strict=True)
    ]
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}


def read_image(config: Config, path: Path) -> np.ndarray:
    """One image file, conformed to the model's input as training data is."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such image file")
    try:
        encoded = tf.io.read_file(str(path))
        image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
    except tf.errors.InvalidArgumentError:
        raise ConfigError(f"{path} is not a PNG, JPEG, BMP or GIF image") from None
    conformed, _ = conformer(config.data)(image, tf.constant(0))
    return conformed.numpy()
