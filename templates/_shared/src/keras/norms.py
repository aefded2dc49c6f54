"""Layer normalisation written with `keras.ops`, for Transformers that export from every backend."""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class LayerNorm(layers.LayerNormalization):
    """`LayerNormalization` over the last axis, written with `keras.ops`. The built-in one hands
    `torch.nn.functional.layer_norm` sizes read from the traced tensor on the PyTorch backend,
    which the ONNX exporter Keras uses for dynamic axes (TorchScript) cannot export."""

    def call(self, x):
        x32 = ops.cast(x, "float32")  # statistics in float32 under mixed precision too
        mean, variance = ops.moments(x32, axes=[-1], keepdims=True)
        normed = (x32 - mean) * ops.rsqrt(variance + self.epsilon)
        return ops.cast(normed * self.gamma + self.beta, x.dtype)
