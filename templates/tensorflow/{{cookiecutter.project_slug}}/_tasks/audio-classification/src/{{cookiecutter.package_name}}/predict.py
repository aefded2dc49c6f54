"""Prediction for WAV files (and the WAV files of folders), with a run's checkpoint or its
exported SavedModel. Both read each file as training does: mono, resampled to data.sample_rate,
its middle data.clip_seconds kept or padded with silence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .clips import read_inputs
from .config import Config
from .export import exported as exported_folder
from .signatures import SIGNATURE


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict:
    """The most likely class of each clip, and its probability."""
    d = config.data
    names, waves = read_inputs(inputs, d.sample_rate, d.clip_seconds)
    probabilities, labels = [], []
    if exported:
        source = exported_folder(run) / "saved_model"
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]
        for start in range(0, len(waves), d.batch_size):
            outputs = serve(waveform=tf.constant(waves[start : start + d.batch_size]))
            probabilities.append(outputs["probabilities"].numpy())
            labels += [name.decode() for name in outputs["class_name"].numpy()]
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, class_names = load_trained_model(config, str(source))
        for start in range(0, len(waves), d.batch_size):
            logits = model(waves[start : start + d.batch_size], training=False)
            probabilities.append(tf.nn.softmax(logits).numpy())
            labels += [class_names[i] for i in probabilities[-1].argmax(axis=-1)]
    best = np.concatenate(probabilities).max(axis=-1)
    predictions = [
        {"input": name, "label": label, "probability": float(p)}
        for name, label, p in zip(names, labels, best, strict=True)
    ]
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
