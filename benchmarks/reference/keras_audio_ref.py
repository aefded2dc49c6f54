"""Reference: the Keras template's audio classifier with `compile`/`fit`, tuned the way Keras documents.

Same clips and split (the template's shared `clips.py`, see `_audio.py`), same model (a log-mel
front end as a layer of `keras.ops`: `ops.stft` with a Hann window of 512, hop 160, centred;
power on the shared 40-band mel filterbank; log; each clip standardised over its bins; then
conv-BN-ReLU blocks of 16/32/64 with max pooling between them, BN momentum 0.9, the mean over
time (the mel axis kept), dropout 0.1, a linear head over the flattened bands), Adam lr 1e-3, batch 32, one epoch then the validation pass. Speed settings:
NumPy arrays straight into `fit`, and `jit_compile` on JAX (and on a GPU) but not on TensorFlow
or torch on the CPU, as in `keras_ref.py` (`--jit-compile true|false` overrides).
"""

from __future__ import annotations

import sys

import _audio
import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import keras
from _keras import fit_one_epoch, start
from keras import layers, ops


class LogMel(layers.Layer):
    """Waveforms [batch, samples] -> standardised log-mel [batch, frames, mels, 1]."""

    def build(self, input_shape) -> None:
        bank = _audio.mel_bank()
        self.mel = self.add_weight(
            shape=bank.shape, initializer=keras.initializers.Constant(bank), trainable=False,
            name="mel", dtype="float32",
        )  # fmt: skip

    def call(self, waves):
        real, imag = ops.stft(
            ops.cast(waves, "float32"), _audio.N_FFT, _audio.HOP_LENGTH, _audio.N_FFT,
            window="hann", center=True,
        )  # fmt: skip
        logmel = ops.log(ops.matmul(real * real + imag * imag, self.mel) + 1e-6)
        mean = ops.mean(logmel, axis=(1, 2), keepdims=True)
        std = ops.std(logmel, axis=(1, 2), keepdims=True)
        return ops.expand_dims((logmel - mean) / (std + 1e-5), -1)


def build_model(num_classes: int, seed: int) -> keras.Model:
    waves = keras.Input(shape=(round(_audio.SAMPLE_RATE * _audio.CLIP_SECONDS),))
    x = LogMel()(waves)
    for i, width in enumerate(_audio.WIDTHS):
        if i:
            x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
    x = layers.AveragePooling2D(pool_size=(x.shape[1], 1))(x)
    x = layers.Dropout(0.1, seed=seed)(layers.Flatten()(x))
    return keras.Model(waves, layers.Dense(num_classes, dtype="float32")(x))


def main() -> None:
    args, backend, gpu, jit = start(batch_size=32)
    num_classes, train, val = _audio.load(args.num_samples, args.seed)
    model = build_model(num_classes, args.seed)
    fit_one_epoch(model, train, val, args.batch_size, backend, gpu, jit)


if __name__ == "__main__":
    sys.exit(main())
