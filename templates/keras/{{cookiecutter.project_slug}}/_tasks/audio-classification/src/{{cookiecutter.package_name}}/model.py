"""A small CNN over a log-mel spectrogram that the model computes itself, built with the
functional API.

Raw waveforms in, logits out: `LogMel` (an STFT with `keras.ops.stft`, power on the mel bands, its
logarithm standardised per clip), SpecAugment-style masking while training only, then
convolution, batch-norm and ReLU blocks (max pooling between them), the mean over time of each
band's features, and a linear head. The front end is a layer of `keras.ops`, so it runs on every
backend and the export takes the same waveforms as the checkpoint.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .clips import clip_length
from .melscale import mel_filterbank
from .task_config import DataConfig, ModelConfig


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class LogMel(layers.Layer):
    """Waveforms [batch, samples] -> log-mel spectrograms [batch, frames, n_mels, 1], each clip
    standardised over all its bins, so that how loud it was recorded does not matter."""

    def __init__(
        self, sample_rate: int, n_fft: int, hop_length: int, n_mels: int, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.sample_rate, self.n_fft = sample_rate, n_fft
        self.hop_length, self.n_mels = hop_length, n_mels

    def build(self, input_shape) -> None:
        bank = mel_filterbank(self.sample_rate, self.n_fft, self.n_mels)
        # A weight rather than a constant, so it lives on the model's device; never trained.
        self.bank = self.add_weight(shape=bank.shape, initializer=keras.initializers.Constant(bank),
                                    trainable=False, name="mel_bank")  # fmt: skip

    def call(self, waves):
        real, imag = ops.stft(waves, sequence_length=self.n_fft, sequence_stride=self.hop_length,
                              fft_length=self.n_fft, window="hann", center=True)  # fmt: skip
        logmel = ops.log(ops.matmul(real * real + imag * imag, self.bank) + 1e-6)
        mean, variance = ops.moments(logmel, axes=[1, 2], keepdims=True)
        return ops.expand_dims((logmel - mean) / (ops.sqrt(variance) + 1e-5), -1)

    def get_config(self) -> dict:
        return {**super().get_config(), "sample_rate": self.sample_rate, "n_fft": self.n_fft,
                "hop_length": self.hop_length, "n_mels": self.n_mels}  # fmt: skip


@keras.saving.register_keras_serializable(package="{{ cookiecutter.package_name }}")
class SpecAugment(layers.Layer):
    """While training, each clip loses one run of up to `time_mask` frames and one of up to
    `freq_mask` mel bands, of random length at a random place, set to 0 (the clip's mean after
    standardisation). Outside training (validation, evaluate, export) it changes nothing. Its
    draws come from its own seed generator, which the resumable state saves."""

    def __init__(self, freq_mask: int, time_mask: int, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.freq_mask, self.time_mask, self.seed = freq_mask, time_mask, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training:
            return x
        for axis, widest in ((1, self.time_mask), (2, self.freq_mask)):
            if widest:
                x = x * self.kept(x, axis, widest)
        return x

    def kept(self, x, axis: int, widest: int):
        """1 outside each clip's masked run along `axis`, 0 inside it, shaped to broadcast."""
        size = x.shape[axis]
        draws = keras.random.uniform((ops.shape(x)[0], 2), seed=self.seed_generator)
        width = ops.floor(draws[:, :1] * (min(widest, size) + 1))  # 0 ... widest
        start = ops.floor(draws[:, 1:] * (size - width + 1))  # the run ends inside the clip
        where = ops.arange(size, dtype="float32")[None, :]
        kept = ops.logical_or(where < start, where >= start + width)
        shape = [-1, 1, 1, 1]
        shape[axis] = size
        return ops.reshape(ops.cast(kept, x.dtype), shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "freq_mask": self.freq_mask,
                "time_mask": self.time_mask, "seed": self.seed}  # fmt: skip


def build_model(
    data: DataConfig, cfg: ModelConfig, class_names: list[str], seed: int = 0
) -> keras.Model:
    waves = keras.Input(shape=(clip_length(data.sample_rate, data.clip_seconds),), name="waveform")
    # The front end stays float32 under mixed precision: the STFT takes float32 only, and the
    # logarithm and the per-clip statistics need its range.
    x = LogMel(data.sample_rate, cfg.n_fft, cfg.hop_length, cfg.n_mels, dtype="float32",
               name="log_mel")(waves)  # fmt: skip
    if cfg.freq_mask or cfg.time_mask:
        x = SpecAugment(cfg.freq_mask, cfg.time_mask, seed=seed, dtype="float32",
                        name="spec_augment")(x)  # fmt: skip
    for i, width in enumerate(cfg.widths, start=1):
        if i > 1:  # every block after the first halves frames and bands
            x = layers.MaxPooling2D(2, name=f"pool{i - 1}")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        # A short memory: the running statistics that evaluation uses follow the weights closely
        # even over the few dozen steps of a small epoch.
        x = layers.BatchNormalization(momentum=0.9, name=f"norm{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
    # The mean over time only: where in the spectrum a sound sits (a low tone or a high one) is
    # what tells many classes apart, and a mean over the bands as well would wash it out.
    x = layers.AveragePooling2D(pool_size=(x.shape[1], 1), name="time_average")(x)
    x = layers.Flatten(name="bands")(x)
    x = layers.Dropout(cfg.dropout, seed=seed + 1, name="dropout")(x)
    # Logits stay float32 under mixed precision so the softmax inside the loss is stable.
    outputs = layers.Dense(len(class_names), dtype="float32", name="logits")(x)
    return keras.Model(waves, outputs, name="audio_cnn")
