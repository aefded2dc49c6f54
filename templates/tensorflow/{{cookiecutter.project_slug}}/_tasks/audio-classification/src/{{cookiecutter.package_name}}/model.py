"""The model: a log-mel front end and a small CNN over its spectrogram, built from Keras layers.

The model takes raw waveforms float32 [batch, samples], so its export does too and a caller needs
no feature code. Layers carry the mixed-precision policy; the front end always computes in float32
(the power spectrum would overflow float16, and its logarithm would lose the quiet bins).
"""

from __future__ import annotations

import tensorflow as tf

from .config import Config
from .melscale import mel_filterbank

layers = tf.keras.layers


class LogMel(layers.Layer):
    """Waveforms [batch, samples] -> log-mel spectrograms [batch, frames, n_mels, 1], each
    standardised over all its bins, so the network sees the shape of a sound, not its loudness."""

    def __init__(self, sample_rate: int, n_fft: int, hop_length: int, n_mels: int, **kwargs):
        super().__init__(dtype="float32", **kwargs)
        self.n_fft, self.hop_length = n_fft, hop_length
        self.bank = tf.constant(mel_filterbank(sample_rate, n_fft, n_mels))  # [bins, n_mels]

    def call(self, waves: tf.Tensor) -> tf.Tensor:
        spectrum = tf.signal.stft(
            tf.cast(waves, tf.float32),
            frame_length=self.n_fft,
            frame_step=self.hop_length,
            fft_length=self.n_fft,
            window_fn=tf.signal.hann_window,
            pad_end=True,
        )  # [batch, frames, n_fft // 2 + 1]
        logmel = tf.math.log(tf.matmul(tf.square(tf.abs(spectrum)), self.bank) + 1e-6)
        mean, variance = tf.nn.moments(logmel, axes=[1, 2], keepdims=True)
        return ((logmel - mean) / (tf.sqrt(variance) + 1e-5))[..., tf.newaxis]


class SpecMask(layers.Layer):
    """While training, zero (the mean, after standardising) a run of 0 to `most` rows along `axis`
    of each clip, at a random place: SpecAugment's masking. Its seed generator is a model
    variable, checkpointed with the dropout generators, so a resumed run masks what an unbroken
    one would."""

    def __init__(self, most: int, axis: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.most, self.axis = most, axis
        self.seed_generator = tf.keras.random.SeedGenerator()

    def call(self, x: tf.Tensor, training: bool = False) -> tf.Tensor:
        if not training or not self.most:
            return x
        batch, size = tf.shape(x)[0], tf.shape(x)[self.axis]
        width = tf.minimum(
            tf.keras.random.randint((batch,), 0, self.most + 1, seed=self.seed_generator), size
        )
        room = tf.cast(size - width + 1, tf.float32)
        start = tf.cast(tf.keras.random.uniform((batch,), seed=self.seed_generator) * room, "int32")
        where = tf.range(size)
        hidden = (where >= start[:, None]) & (where < (start + width)[:, None])  # [batch, size]
        shape = [batch, 1, 1, 1]
        shape[self.axis] = size
        return tf.where(tf.reshape(hidden, shape), tf.zeros_like(x), x)


class MeanOverTime(layers.Layer):
    """[batch, frames, bands, channels] -> [batch, bands, channels]. Where a sound sits in time
    does not matter, but where it sits in frequency does (a low hum is not a high whistle), and a
    few 3x3 blocks see too few bands to tell pitch apart if that axis were averaged away too."""

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(x, axis=1)


def build_model(
    config: Config, class_names: list[str], dtype_policy: str | None = None
) -> tf.keras.Model:
    """waveform float32 [batch, samples] -> logits float32 [batch, classes].

    `dtype_policy` ("mixed_bfloat16", "mixed_float16" or None) sets the compute dtype of the CNN;
    variables and the logits stay float32, so the loss never runs in reduced precision.
    """
    d, m = config.data, config.model
    dtype = dtype_policy or "float32"
    samples = max(1, round(d.sample_rate * d.clip_seconds))
    waves = tf.keras.Input((samples,), name="waveform")
    x = LogMel(d.sample_rate, m.n_fft, m.hop_length, m.n_mels, name="log_mel")(waves)
    x = SpecMask(m.freq_mask, axis=2, name="freq_mask")(x)
    x = SpecMask(m.time_mask, axis=1, name="time_mask")(x)
    for i, width in enumerate(m.widths):
        if i > 0:
            x = layers.MaxPooling2D(dtype=dtype)(x)
        # No conv bias: the normalisation's shift makes it redundant. Group normalisation, not
        # BatchNorm: it keeps no running statistics, so under tf.distribute every replica (and
        # the saved model) normalises alike, where BatchNorm's would drift apart per replica.
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, dtype=dtype)(x)
        x = layers.GroupNormalization(groups=min(8, width), dtype=dtype)(x)
        x = layers.ReLU(dtype=dtype)(x)
    x = layers.Flatten(dtype=dtype)(MeanOverTime(dtype=dtype, name="mean_over_time")(x))
    x = layers.Dropout(m.dropout, dtype=dtype)(x)
    logits = layers.Dense(len(class_names), dtype="float32", name="logits")(x)
    return tf.keras.Model(waves, logits, name="audio_cnn")
