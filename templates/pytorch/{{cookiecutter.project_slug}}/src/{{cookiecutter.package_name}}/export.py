"""Export the trained model with torch.export (and optionally ONNX), then check the exported
program against the eager model on the same inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.export import Dim

from .config import Config
from .model import model_from_checkpoint
from .utils import load_checkpoint


def _max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.float() - b.float()).abs().max().item()


def export(config: Config, checkpoint: Path | None = None) -> dict[str, Any]:
    out = Path(config.trainer.output_dir)
    path = Path(checkpoint or out / "best.pt")
    # Exported on the CPU in fp32: the artifact then runs anywhere, and the check is exact.
    state = load_checkpoint(path, "cpu")
    model = model_from_checkpoint(state, "cpu")
    data = state["config"]["data"]
    shape = (config.export.batch_size, data["channels"], data["image_size"], data["image_size"])
    generator = torch.Generator().manual_seed(config.trainer.seed)
    example = torch.rand(shape, generator=generator)
    # The batch dimension stays symbolic, so one program serves any batch size.
    dynamic_shapes = ({0: Dim("batch", min=1, max=4096)},) if config.export.dynamic_batch else None

    program = torch.export.export(model, (example,), dynamic_shapes=dynamic_shapes)
    export_dir = out / "export"
    export_dir.mkdir(parents=True, exist_ok=True)
    pt2 = export_dir / "model.pt2"
    torch.export.save(program, pt2)

    reloaded = torch.export.load(pt2).module()
    inputs = [example]
    if config.export.dynamic_batch:
        inputs.append(torch.rand((shape[0] + 3, *shape[1:]), generator=generator))
    with torch.no_grad():
        diff = max(_max_abs_diff(reloaded(x), model(x)) for x in inputs)
    _check(diff, config.export.atol, pt2)
    result: dict[str, Any] = {
        "checkpoint": str(path),
        "pt2": str(pt2),
        "input_shape": list(shape),
        "dynamic_batch": config.export.dynamic_batch,
        "max_abs_diff": diff,
        "atol": config.export.atol,
    }
    if config.export.onnx:
        result.update(_export_onnx(model, example, dynamic_shapes, export_dir, config.export.atol))
    return result


def _export_onnx(
    model: nn.Module, example: torch.Tensor, dynamic_shapes: Any, export_dir: Path, atol: float
) -> dict[str, Any]:
    try:
        import onnxscript  # noqa: F401  # the dynamo-based ONNX exporter is built on it
    except ImportError as exc:
        raise RuntimeError('export.onnx needs the onnx extra: pip install ".[onnx]"') from exc
    path = export_dir / "model.onnx"
    torch.onnx.export(
        model,
        (example,),
        path,
        dynamo=True,
        dynamic_shapes=dynamic_shapes,
        input_names=["pixels"],
        output_names=["logits"],
        verbose=False,
    )
    result: dict[str, Any] = {"onnx": str(path)}
    try:
        import onnxruntime
    except ImportError:
        return result  # exported, but nothing here to run it with
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (logits,) = session.run(None, {"pixels": example.numpy()})
    with torch.no_grad():
        diff = _max_abs_diff(torch.from_numpy(logits), model(example))
    _check(diff, atol, path)
    result["onnx_max_abs_diff"] = diff
    return result


def _check(diff: float, atol: float, path: Path) -> None:
    if not diff <= atol:  # also catches NaN
        raise RuntimeError(f"{path} differs from the eager model by {diff:.3g} > atol {atol:g}")
