"""Export the trained model for serving, reload the artifact, and compare its outputs.

TensorFlow and JAX backends write a TensorFlow SavedModel (on JAX through jax2tf, which needs
TensorFlow installed: `pip install -e ".[export]"`); the PyTorch backend writes ONNX (needs the
`onnx` extra). When the exporter's packages are missing the result says so instead of failing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .config import Config
from .data import load_split
from .evaluate import load_checkpoint
from .utils import backend

NEEDS = {
    "tf_saved_model": ("tensorflow",),
    "onnx": ("onnx", "onnxscript", "onnxruntime"),
}
HOW_TO_INSTALL = {"tensorflow": 'pip install -e ".[export]"', "torch": 'pip install -e ".[onnx]"'}


def export_format() -> str:
    return "onnx" if backend() == "torch" else "tf_saved_model"


def run_artifact(fmt: str, path: Path, x: np.ndarray) -> np.ndarray:
    if fmt == "onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]
    import tensorflow as tf

    # Keep the loaded object referenced: its variables die with it.
    reloaded = tf.saved_model.load(str(path))
    return reloaded.serve(tf.constant(x)).numpy()


def export(config: Config, checkpoint: Path | None = None) -> dict[str, Any]:
    model, source = load_checkpoint(config, checkpoint)
    fmt = export_format()
    result: dict[str, Any] = {"backend": backend(), "format": fmt, "checkpoint": str(source)}
    missing = [m for m in NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        install = HOW_TO_INSTALL.get(backend(), "pip install tensorflow")
        result["skipped"] = (
            f"{fmt} export from the {backend()} backend needs {', '.join(missing)}: {install}"
        )
        return result

    out = Path(config.trainer.output_dir) / "export"
    out.mkdir(parents=True, exist_ok=True)
    path = out / ("model.onnx" if fmt == "onnx" else "saved_model")
    # A fixed batch dimension would make the artifact serve one batch size only.
    spec = keras.InputSpec(shape=(None, *model.input_shape[1:]), dtype="float32")
    model.export(str(path), format=fmt, input_signature=[spec], verbose=False)

    split = load_split(config.data, config.trainer.seed)
    x = split.x_val[:16].astype("float32")
    expected = keras.ops.convert_to_numpy(model.predict(x, verbose=0)).astype("float32")
    got = np.asarray(run_artifact(fmt, path, x), dtype="float32")
    result.update(path=str(path), max_abs_diff=float(np.max(np.abs(expected - got))))
    return result
