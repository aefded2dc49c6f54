"""Export a run's best model for serving, reload the artifact, and compare its outputs.

TensorFlow and JAX backends write a TensorFlow SavedModel (on JAX through jax2tf, which needs the
`export` extra); the PyTorch backend writes ONNX (the `onnx` extra). The class names go with the
artifact: `labels.json` beside it, and in the ONNX file's metadata as `class_names`.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .checkpoint import load_checkpoint, read_classes
from .config import Config
from .data import load_split
from .errors import ProjectError
from .precision import backend

NEEDS = {
    "tf_saved_model": ("tensorflow",),
    "onnx": ("onnx", "onnxscript", "onnxruntime"),
}
EXTRA = {"tensorflow": None, "jax": "export", "torch": "onnx"}
EXPORT_DIR = "export"
LABELS = "labels.json"


def export_format() -> str:
    return "onnx" if backend() == "torch" else "tf_saved_model"


def check_exporter(fmt: str) -> None:
    missing = [m for m in NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        extra = EXTRA[backend()]
        install = f'pip install -e ".[{extra}]"' if extra else "install TensorFlow"
        raise ProjectError(
            f"{fmt} export from the {backend()} backend needs {', '.join(missing)}: {install}"
        )


def run_artifact(fmt: str, path: Path, x: np.ndarray) -> np.ndarray:
    if fmt == "onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]
    import tensorflow as tf

    # Keep the loaded object referenced: its variables die with it.
    reloaded = tf.saved_model.load(str(path))
    return reloaded.serve(tf.constant(x)).numpy()


def label_onnx(path: Path, class_names: list[str]) -> None:
    import onnx

    model = onnx.load(str(path))
    onnx.helper.set_model_props(model, {"class_names": json.dumps(class_names)})
    onnx.save(model, str(path))


def export(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    fmt = export_format()
    check_exporter(fmt)
    model, source = load_checkpoint(run, checkpoint)
    class_names = read_classes(run)
    out = Path(run) / EXPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / ("model.onnx" if fmt == "onnx" else "saved_model")
    # A fixed batch dimension would make the artifact serve one batch size only.
    spec = keras.InputSpec(shape=(None, *model.input_shape[1:]), dtype="float32")
    model.export(str(path), format=fmt, input_signature=[spec], verbose=False)
    if fmt == "onnx":
        label_onnx(path, class_names)
    (out / LABELS).write_text(json.dumps(class_names, indent=1) + "\n", encoding="utf-8")

    x = load_split(config.data, config.trainer.seed).x_val[:16].astype("float32")
    expected = keras.ops.convert_to_numpy(model.predict(x, verbose=0)).astype("float32")
    got = np.asarray(run_artifact(fmt, path, x), dtype="float32")
    return {
        "run_dir": str(run),
        "backend": backend(),
        "format": fmt,
        "checkpoint": str(source),
        "path": str(path),
        "labels": str(out / LABELS),
        "max_abs_diff": float(np.max(np.abs(expected - got))),
    }
