"""Export: a SavedModel with a serving signature, optionally a TFLite (LiteRT) model, and a check.

A SavedModel is a TensorFlow program, not just weights: loading one runs its graph. Load only
SavedModels you produced or trust.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .evaluate import load_trained_model
from .utils import log


class Classifier(tf.Module):
    """The serving wrapper: images in, logits, probabilities and class ids out."""

    def __init__(self, model: tf.keras.Model) -> None:
        super().__init__(name="classifier")
        self.model = model
        # Keras 3 wraps each tf.Variable. Tracking the tf.Variables themselves is what lets the
        # TFLite converter find and freeze the weights (without it, it emits a weightless model).
        self.tf_variables = [v.value for v in model.variables]
        _, height, width, channels = model.input_shape
        # Batch dimension None: one signature serves any batch size.
        spec = tf.TensorSpec([None, height, width, channels], tf.float32, name="images")
        self.serve = tf.function(self._serve, input_signature=[spec])

    def _serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        logits = self.model(images, training=False)
        return {
            "logits": logits,
            "probabilities": tf.nn.softmax(logits),
            "class_id": tf.argmax(logits, axis=-1, output_type=tf.int32),
        }


def export(config: Config, checkpoint: Path | None = None) -> dict:
    model, path = load_trained_model(config, checkpoint)
    out = config.export.dir or Path(config.trainer.output_dir) / "export"
    saved_model = out / "saved_model"
    if saved_model.exists():
        shutil.rmtree(saved_model)
    module = Classifier(model)
    tf.saved_model.save(module, str(saved_model), signatures={"serving_default": module.serve})

    d = config.data
    rng = np.random.default_rng(config.trainer.seed)
    shape = (config.export.check_batch, d.image_size, d.image_size, d.channels)
    sample = rng.uniform(0.0, 1.0, shape).astype(np.float32)
    expected = model(sample, training=False).numpy()
    serving = tf.saved_model.load(str(saved_model)).signatures["serving_default"]
    reloaded = serving(images=tf.constant(sample))["logits"].numpy()
    result = {
        "checkpoint": path,
        "saved_model": str(saved_model),
        "signature": "serving_default",
        "max_abs_diff": float(np.max(np.abs(reloaded - expected))),
    }
    if config.export.tflite:
        result.update(_export_tflite(saved_model, out / "model.tflite", sample, expected))
    return result


def _export_tflite(
    saved_model: Path, target: Path, sample: np.ndarray, expected: np.ndarray
) -> dict:
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    target.write_bytes(converter.convert())
    result: dict = {"tflite": str(target)}
    try:  # LiteRT is the maintained runtime (`pip install -e ".[litert]"`).
        from ai_edge_litert.interpreter import Interpreter as interpreter_class
    except ImportError:
        interpreter_class = getattr(tf.lite, "Interpreter", None)
    if interpreter_class is None:
        log("no TFLite interpreter available: the .tflite file was written but not checked")
        return result
    interpreter = interpreter_class(model_path=str(target))
    runner = interpreter.get_signature_runner("serving_default")
    outputs = runner(images=sample)
    result["tflite_max_abs_diff"] = float(np.max(np.abs(outputs["logits"] - expected)))
    return result
