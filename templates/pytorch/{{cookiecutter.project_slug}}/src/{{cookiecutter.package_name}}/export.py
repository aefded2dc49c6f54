"""Export a run's trained model with torch.export (and optionally ONNX), with the files the task
puts beside it, then check the exported program against the eager model on the same inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.export import Dim

from .checkpoint import BEST, load_checkpoint
from .config import Config
from .config_io import ConfigError
from .errors import ProjectError
from .model import model_from_checkpoint
from .task import Task

EXPORT_DIR = "export"  # inside the run directory
PROGRAM = "model.pt2"


def _max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.float() - b.float()).abs().max().item()


def export(config: Config, run: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    path = Path(checkpoint or run / BEST)
    # Exported on the CPU in fp32: the artifact then runs anywhere, and the check is exact.
    state = load_checkpoint(path)
{% if cookiecutter.task == "generative" %}
    # The decoder alone is what generates: codes in, images out; the encoder stays behind.
    model: nn.Module = model_from_checkpoint(state, "cpu").sampler()
{% else %}
    model = model_from_checkpoint(state, "cpu")
{% endif %}
    task = Task.from_state(state)
    generator = torch.Generator().manual_seed(config.trainer.seed)
    batch = config.export.batch_size
    example = task.example_inputs(state, config, batch, generator)
    inputs = [example]
    if config.export.dynamic_batch:
        inputs += [
            tuple(x[:1] for x in example),
            task.example_inputs(state, config, batch + 3, generator),
        ]
    # The batch dimension (and any other the task names, e.g. a text's length) stays symbolic
    # with no upper bound, so one program serves any batch.
    dims = task.dynamic_dims if config.export.dynamic_batch else ()
    dynamic_shapes = tuple({d: Dim.DYNAMIC for d in dims} for _ in example) if dims else None

    program = torch.export.export(model, example, dynamic_shapes=dynamic_shapes)
    export_dir = run / EXPORT_DIR
    export_dir.mkdir(parents=True, exist_ok=True)
    pt2 = export_dir / PROGRAM
    torch.export.save(program, pt2)
    files = task.write_export_files(export_dir, example)

    reloaded = torch.export.load(pt2).module()
    with torch.no_grad():
        diff = max(_max_abs_diff(reloaded(*x), model(*x)) for x in inputs)
    _check(diff, config.export.atol, pt2)
    result: dict[str, Any] = {
        "run_dir": str(run),
        "checkpoint": str(path),
        "pt2": str(pt2),
        **files,
        "dynamic_batch": config.export.dynamic_batch,
        "max_abs_diff": diff,
        "atol": config.export.atol,
    }
    if config.export.onnx:
        onnx = _export_onnx(model, task, inputs, dynamic_shapes, export_dir, config.export.atol)
        result.update(onnx)
    return result


def _export_onnx(
    model: nn.Module,
    task: Task,
    inputs: list[tuple[torch.Tensor, ...]],
    dynamic_shapes: Any,
    export_dir: Path,
    atol: float,
) -> dict[str, Any]:
    try:
        import onnxruntime
        import onnxscript  # noqa: F401  # the dynamo-based ONNX exporter is built on it
    except ImportError as exc:
        raise ConfigError(
            f"export.onnx = true needs the onnx extra ({exc.name} is missing): "
            'pip install -e ".[onnx]"'
        ) from exc
    path = export_dir / "model.onnx"
    torch.onnx.export(
        model,
        inputs[0],
        path,
        dynamo=True,
        dynamic_shapes=dynamic_shapes,
        input_names=task.input_names,
        output_names=[task.output_name],
        verbose=False,
    )
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        diff = max(
            _max_abs_diff(torch.from_numpy(session.run(None, feeds(task, x))[0]), model(*x))
            for x in inputs
        )
    _check(diff, atol, path)
    return {"onnx": str(path), "onnx_max_abs_diff": diff}


def feeds(task: Task, inputs: tuple[torch.Tensor, ...]) -> dict[str, Any]:
    return {name: x.numpy() for name, x in zip(task.input_names, inputs, strict=True)}


def _check(diff: float, atol: float, path: Path) -> None:
    if not diff <= atol:  # also catches NaN
        raise ProjectError(
            f"{path} differs from the eager model by {diff:.3g} > export.atol {atol:g}"
        )
