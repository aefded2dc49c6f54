"""Reference: the Keras template's VAE in one `fit` epoch, on any of the three backends.

Same images and split (the template's shared `pictures.py`, see `_generative.py`), same model (an
encoder of 4 x 4 stride-2 convolutions with SiLU at widths 32 and 64, a dense map to the mean and
log-variance of a 16-dimensional code; a decoder of a dense map, SiLU, 4 x 4 stride-2 transposed
convolutions back up and a 3 x 3 convolution to pixel logits), channels last, the same loss
(binary cross-entropy summed over pixels plus beta times the KL term, averaged over images, in
float32), Adam at the template's rate, batch 64, one epoch then the validation pass on the mean
codes. Speed settings as `_keras.py` explains.
"""

from __future__ import annotations

import sys

import _generative as g
import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import keras
from _common import emit
from _keras import Clock, start
from keras import layers, ops


def pixel_bce(images, logits):
    """Binary cross-entropy with logits, summed over each image's pixels."""
    logits, images = ops.cast(logits, "float32"), ops.cast(images, "float32")
    per_pixel = ops.relu(logits) - logits * images + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(per_pixel, axis=(1, 2, 3))


class VAE(keras.Model):
    def __init__(self, seed: int) -> None:
        super().__init__()
        cells, widths = g.IMAGE_SIZE >> len(g.WIDTHS), list(g.WIDTHS)
        down = [layers.Conv2D(w, 4, 2, padding="same", activation="silu") for w in widths]
        self.encoder = keras.Sequential([*down, layers.Flatten()])
        self.to_code = layers.Dense(2 * g.LATENT_DIM)
        up = [layers.Conv2DTranspose(w, 4, 2, padding="same", activation="silu")
              for w in [*widths[::-1][1:], widths[0]]]  # fmt: skip
        self.decoder = keras.Sequential([
            layers.Dense(widths[-1] * cells * cells, activation="silu"),
            layers.Reshape((cells, cells, widths[-1])), *up,
            layers.Conv2D(g.CHANNELS, 3, padding="same", dtype="float32"),
        ])  # fmt: skip
        self.noise = keras.random.SeedGenerator(seed)

    def call(self, images, training=False):
        code = ops.cast(self.to_code(self.encoder(images)), "float32")
        mean, log_var = ops.split(code, 2, axis=-1)
        z = mean
        if training:
            noise = keras.random.normal(ops.shape(mean), seed=self.noise)
            z = mean + noise * ops.exp(0.5 * log_var)
        kl = -0.5 * ops.sum(1 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(g.BETA * ops.mean(kl))
        return self.decoder(z)


def main() -> None:
    args, backend, gpu, jit = start(batch_size=g.BATCH_SIZE)
    train, val, baseline = g.load(args.num_samples, args.seed)
    model = VAE(args.seed)
    model.compile(optimizer=keras.optimizers.Adam(g.LR), loss=pixel_bce, jit_compile=jit)
    clock = Clock(args.batch_size)
    model.fit(train, train, batch_size=args.batch_size, epochs=1, shuffle=True, verbose=0,
              callbacks=[clock])  # fmt: skip
    val_loss = model.evaluate(val, val, batch_size=args.batch_size, verbose=0)
    device = "gpu" if gpu else "cpu"
    emit(clock.clock.report(
        val_loss=round(float(val_loss), 2), baseline_reconstruction=round(baseline, 2),
        backend=backend, jit_compile=jit, device=device,
    ))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
