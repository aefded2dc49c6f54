"""Layer normalisation for Transformers that export from every backend."""

from __future__ import annotations

import keras
from keras import layers, ops


def onnx_exporting() -> bool:
    """Whether the PyTorch ONNX exporter is tracing the model now."""
    if keras.backend.backend() != "torch":
        return False
    import torch

    return torch.onnx.is_in_onnx_export()


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class LayerNorm(layers.LayerNormalization):
    """`LayerNormalization` over the last axis. On the PyTorch backend the built-in one calls
    torch's fused kernel, several times faster than the same statistics op by op, but hands it
    sizes read from the traced tensor, which the ONNX exporter Keras uses for dynamic axes
    (TorchScript) cannot export: while that exporter traces, the same normalisation is written
    with `keras.ops`."""

    def call(self, x):
        if not onnx_exporting():
            return ops.cast(super().call(x), x.dtype)
        x32 = ops.cast(x, "float32")  # statistics in float32 under mixed precision too
        mean, variance = ops.moments(x32, axes=[-1], keepdims=True)
        normed = (x32 - mean) * ops.rsqrt(variance + self.epsilon)
        return ops.cast(normed * self.gamma + self.beta, x.dtype)
