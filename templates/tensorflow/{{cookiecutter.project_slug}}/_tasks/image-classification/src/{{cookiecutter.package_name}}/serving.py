"""The image task's serving artifact, optionally a TFLite (LiteRT) model, and their checks.

    <run>/export/saved_model/          serving_default: images -> logits, probabilities,
                                       class_id, class_name; assets/labels.txt
    <run>/export/labels.txt            the class names, one per line, in class_id order
    <run>/export/model.tflite          with export.tflite = true

Each is reloaded and compared with the trained model on a batch of random images.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .reporting import log
from .signatures import SIGNATURE, class_outputs

FILES = ("saved_model", "labels", "tflite")  # result keys that name files of the export


class Classifier(tf.Module):
    """The serving wrapper: images in; logits, probabilities, class ids and class names out."""

    def __init__(self, model: tf.keras.Model, class_names: list[str], labels_file: Path) -> None:
        super().__init__(name="classifier")
        self.model = model
        # Keras 3 wraps each tf.Variable. Tracking the tf.Variables themselves is what lets the
        # TFLite converter find and freeze the weights (without it, it emits a weightless model).
        self.tf_variables = [v.value for v in model.variables]
        # Copied into the SavedModel's assets/, so the label map travels with the model.
        self.labels = tf.saved_model.Asset(str(labels_file))
        self.class_names = tf.constant(class_names)
        _, height, width, channels = model.input_shape
        # Batch dimension None: one signature serves any batch size.
        spec = tf.TensorSpec([None, height, width, channels], tf.float32, name="images")
        self.serve = tf.function(self._serve, input_signature=[spec])

    def _serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        return class_outputs(self.model(images, training=False), self.class_names)


def write_and_check(config: Config, model, class_names: list[str], folder: Path) -> dict:
    labels = folder / "labels.txt"
    labels.write_text("".join(f"{name}\n" for name in class_names), encoding="utf-8")
    saved_model = folder / "saved_model"
    module = Classifier(model, class_names, labels)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})

    d = config.data
    rng = np.random.default_rng(config.trainer.seed)
    shape = (config.export.check_batch, d.image_size, d.image_size, d.channels)
    sample = rng.uniform(0.0, 1.0, shape).astype(np.float32)
    expected = model(sample, training=False).numpy()
    outputs = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE](images=sample)
    names = [n.decode() for n in outputs["class_name"].numpy()]
    result = {
        "class_names": class_names,
        "saved_model": str(saved_model),
        "labels": str(labels),
        "signature": SIGNATURE,
        "max_abs_diff": float(np.max(np.abs(outputs["logits"].numpy() - expected))),
        "class_names_match": names == [class_names[i] for i in expected.argmax(axis=-1)],
    }
    if config.export.tflite:
        result.update(_export_tflite(saved_model, folder / "model.tflite", sample, expected))
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
    with warnings.catch_warnings():
        # tf.lite.Interpreter warns that LiteRT replaces it; it is only the fallback here.
        warnings.simplefilter("ignore", UserWarning)
        interpreter = interpreter_class(model_path=str(target))
    outputs = interpreter.get_signature_runner(SIGNATURE)(images=sample)
    result["tflite_max_abs_diff"] = float(np.max(np.abs(outputs["logits"] - expected)))
    return result
