"""The generative task's serving artifact: a SavedModel of the decoder, codes in, images out.

    <run>/export/saved_model/   serving_default: codes float32 [batch, latent_dim] (any batch; draw
                                them from N(0, I)) -> images float32 [batch, size, size,
                                channels], pixel values in [0, 1]
    <run>/export/shape.json     the code size and the image shape

The encoder stays behind: generating needs only the decoder and a draw from the prior.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .signatures import SIGNATURE
from .task import ImageSpec, decode, prior_codes

FILES = ("saved_model", "shape")  # result keys that name files of the export
SHAPE = "shape.json"


class Sampler(tf.Module):
    def __init__(self, decoder: tf.keras.Model, latent_dim: int) -> None:
        super().__init__(name="sampler")
        self.decoder = decoder
        codes = tf.TensorSpec([None, latent_dim], tf.float32, name="codes")
        self.serve = tf.function(self._serve, input_signature=[codes])

    def _serve(self, codes: tf.Tensor) -> dict[str, tf.Tensor]:
        logits = tf.cast(self.decoder(codes, training=False), tf.float32)
        return {"images": tf.sigmoid(logits)}


def write_and_check(config: Config, model, spec: ImageSpec, folder: Path) -> dict:
    decoder = model.get_layer("decoder")
    latent_dim = int(decoder.input_shape[-1])
    saved_model, shape = folder / "saved_model", folder / SHAPE
    module = Sampler(decoder, latent_dim)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})
    shape.write_text(json.dumps({"latent_dim": latent_dim, **vars(spec)}) + "\n", "utf-8")

    codes = prior_codes(config.export.check_batch, latent_dim, config.trainer.seed)
    serve = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE]
    shapes, diffs = [], []
    for batch in (codes, codes[:1]):  # the whole check batch, and a single code
        served = serve(codes=tf.constant(batch))["images"].numpy()
        diffs.append(float(np.max(np.abs(served - decode(decoder, batch, len(batch))))))
        shapes.append(list(batch.shape))
    s, c = spec.image_size, spec.channels
    return {
        "saved_model": str(saved_model),
        "shape": str(shape),
        "signature": SIGNATURE,
        "input": f"codes float32 [batch, {latent_dim}], drawn from N(0, I)",
        "output": f"images float32 [batch, {s}, {s}, {c}], pixel values in [0, 1]",
        "checked_shapes": shapes,
        "max_abs_diff": max(diffs),
    }
