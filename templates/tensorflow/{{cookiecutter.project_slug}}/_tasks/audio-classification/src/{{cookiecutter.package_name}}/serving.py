"""The audio task's serving artifact: a SavedModel that takes raw waveforms.

    <run>/export/saved_model/      serving_default: waveform float32 [batch, samples] (any batch;
                                   mono, at data.sample_rate, data.clip_seconds long, in [-1, 1])
                                   -> logits, probabilities, class_id, class_name

The log-mel features are computed inside the graph, and the class names are in it, so a client
sends samples and reads names: nothing else travels with the export.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .data import load_split
from .signatures import SIGNATURE, class_outputs

FILES = ("saved_model",)  # result keys that name files of the export


class Predictor(tf.Module):
    """The serving wrapper: waveforms in, decoded predictions out."""

    def __init__(self, model: tf.keras.Model, classes: list[str], samples: int) -> None:
        super().__init__(name="predictor")
        self.model = model
        self.classes = tf.constant(classes, tf.string)
        waveform = tf.TensorSpec([None, samples], tf.float32, name="waveform")
        self.serve = tf.function(self._serve, input_signature=[waveform])

    def _serve(self, waveform: tf.Tensor) -> dict[str, tf.Tensor]:
        return class_outputs(self.model(waveform, training=False), self.classes)


def write_and_check(config: Config, model, classes: list[str], folder: Path) -> dict:
    saved_model = folder / "saved_model"
    samples = int(model.input_shape[1])
    module = Predictor(model, classes, samples)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})

    waves = load_split(config.data, config.trainer.seed).val_waves[: config.export.check_batch]
    serve = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE]
    # Two batch sizes: the whole check batch, and a single clip.
    shapes, diffs, names_match = [], [], True
    for batch in (waves, waves[:1]):
        expected = model(batch, training=False).numpy()
        outputs = serve(waveform=tf.constant(batch, tf.float32))
        diffs.append(float(np.max(np.abs(outputs["logits"].numpy() - expected))))
        names = [n.decode() for n in outputs["class_name"].numpy()]
        names_match &= names == [classes[i] for i in expected.argmax(axis=-1)]
        shapes.append(list(batch.shape))
    return {
        "saved_model": str(saved_model),
        "classes": classes,
        "signature": SIGNATURE,
        "input": f"waveform float32 [batch, {samples}], mono at {config.data.sample_rate} Hz",
        "check_clips": len(waves),
        "checked_shapes": shapes,
        "max_abs_diff": max(diffs),
        "class_names_match": bool(names_match),
    }
