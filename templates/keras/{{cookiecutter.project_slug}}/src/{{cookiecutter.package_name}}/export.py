"""Export a run's best model for serving, reload the artifact, and compare its outputs; and load
either a checkpoint or that artifact for `predict`.

TensorFlow and JAX backends write a TensorFlow SavedModel (on JAX through jax2tf, which needs the
`export` extra); the PyTorch backend writes ONNX (the `onnx` extra). What the task needs to read
the outputs (class names, preprocessing, tokenizer) goes with the artifact: JSON files beside it,
and in the ONNX file's metadata under the same names. What is exported is the task's serving
model (`task.serving_model`: the whole model, or the part that serves, such as a decoder), and the
check compares the artifact with it on the inputs the task names (`task.round_trip_inputs`).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .checkpoint import load_checkpoint
from .config import Config
from .errors import ProjectError
from .precision import backend
from .task import (
    export_files,
    export_limit,
    read_meta,
    round_trip_inputs,
    run_split,
    serving_model,
)

NEEDS = {
    "tf_saved_model": ("tensorflow",),
    "onnx": ("onnx", "onnxscript", "onnxruntime"),
}
EXTRA = {"tensorflow": None, "jax": "export", "torch": "onnx"}
EXPORT_DIR = "export"
PROG = "{{ cookiecutter.project_slug }}"

Predictor = Callable[[list[np.ndarray]], np.ndarray]


def export_format() -> str:
    return "onnx" if backend() == "torch" else "tf_saved_model"


def artifact_path(run: Path) -> Path:
    return Path(run) / EXPORT_DIR / ("model.onnx" if export_format() == "onnx" else "saved_model")


def check_exporter(fmt: str) -> None:
    missing = [m for m in NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        extra = EXTRA[backend()]
        install = f'pip install -e ".[{extra}]"' if extra else "install TensorFlow"
        raise ProjectError(
            f"{fmt} export from the {backend()} backend needs {', '.join(missing)}: {install}"
        )


def load_artifact(fmt: str, path: Path) -> Predictor:
    """A function from the model's input arrays to its outputs, through the exported artifact."""
    if fmt == "onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        return lambda xs: session.run(None, dict(zip(names, xs, strict=True)))[0]
    import tensorflow as tf

    # The closure keeps the loaded object referenced: its variables die with it.
    reloaded = tf.saved_model.load(str(path))

    def serve(xs: list[np.ndarray]) -> np.ndarray:
        tensors = [tf.constant(x) for x in xs]
        return reloaded.serve(tensors[0] if len(tensors) == 1 else tensors).numpy()

    return serve


def model_inputs(xs: list[np.ndarray]) -> Any:
    """`xs` as `predict` takes it: a model with one input wants the array, not a list of one."""
    return xs[0] if len(xs) == 1 else xs


def load_predictor(run: Path, checkpoint: Path | None, exported: bool) -> tuple[Predictor, Path]:
    """The run's exported artifact, or a checkpoint (default: its best), and where it came from."""
    if not exported:
        loaded, path = load_checkpoint(run, checkpoint)
        model = serving_model(loaded)
        return lambda xs: np.asarray(model.predict(model_inputs(xs), verbose=0)), path
    path = artifact_path(run)
    if not path.exists():
        raise ProjectError(f"{run} has no export at {path}: run `{PROG} export` first")
    fmt = export_format()
    check_exporter(fmt)
    return load_artifact(fmt, path), path


def input_signature(model: keras.Model) -> list[Any]:
    """The serving signature: the model's inputs (one, or a list) with any batch size; a fixed
    batch dimension would make the artifact serve one batch size only."""
    specs = [keras.InputSpec(shape=(None, *i.shape[1:]), dtype=i.dtype) for i in model.inputs]
    return [specs[0] if len(specs) == 1 else specs]


def export_options(model: keras.Model) -> dict[str, Any]:
    """jax2tf settings on the JAX backend: every dimension past the batch that the signature
    leaves open is bounded by the longest input the model reads (`task.export_limit`), without
    which jax2tf cannot prove a position-table lookup in range; and no gradients, which serving
    does not need and which jax2tf cannot trace under such bounds."""
    limit = export_limit(model)
    if backend() != "jax" or limit is None:
        return {}
    shapes, bounds = [], []
    for i, spec in enumerate(keras.tree.flatten(input_signature(model))):
        open_dims = {j: f"d{i}_{j}" for j, size in enumerate(spec.shape[1:]) if size is None}
        dims = [open_dims.get(j, str(size)) for j, size in enumerate(spec.shape[1:])]
        bounds += [f"{dim} <= {limit}" for dim in open_dims.values()]
        shapes.append(f"({', '.join(['batch', *dims])})")
    return {
        "jax2tf_kwargs": {
            "polymorphic_shapes": shapes,
            "polymorphic_constraints": bounds,
            "with_gradient": False,
        }
    }


def label_onnx(path: Path, files: dict[str, Any]) -> None:
    import onnx

    model = onnx.load(str(path))
    onnx.helper.set_model_props(model, {key: json.dumps(value) for key, value in files.items()})
    onnx.save(model, str(path))


def export(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    fmt = export_format()
    check_exporter(fmt)
    meta = read_meta(run)
    loaded, source = load_checkpoint(run, checkpoint)
    model = serving_model(loaded)
    files = export_files(meta)
    options = export_options(model)  # refuses what this backend cannot export, before any write
    path = artifact_path(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.export(
        str(path), format=fmt, input_signature=input_signature(model), verbose=False, **options
    )
    if fmt == "onnx":
        label_onnx(path, files)
    written = {}
    for name, value in files.items():
        written[name] = path.parent / f"{name}.json"
        written[name].write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")

    split = run_split(config.data, config.trainer.seed, meta)
    served = load_artifact(fmt, path)
    diffs = []
    for xs in round_trip_inputs(split, config.data, path.parent):
        expected = np.asarray(model.predict(model_inputs(xs), verbose=0), dtype="float32")
        got = np.asarray(served(xs), dtype="float32")
        diffs.append(float(np.max(np.abs(expected - got))))
    return {
        "run_dir": str(run),
        "backend": backend(),
        "format": fmt,
        "checkpoint": str(source),
        "path": str(path),
        **{name: str(file) for name, file in written.items()},
        "max_abs_diff": max(diffs),
    }
