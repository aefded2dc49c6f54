"""The text task's serving artifact: a SavedModel that takes token ids, and the tokenizer beside it.

    <run>/export/saved_model/      serving_default: token_ids int32 [batch, length] (any batch,
                                   any length; 0 = padding, texts longer than data.max_length
                                   are cut) -> logits, probabilities, class_id, class_name
    <run>/export/tokenizer.json    the training tokenizer (Hugging Face `tokenizers` format)

A client encodes with tokenizer.json (`Tokenizer.from_file(...).encode_batch`), pads with 0 and
sends the ids; the class names are in the graph.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .data import load_split
from .signatures import SIGNATURE, class_outputs
from .task import TextSpec
from .tokenizer import PAD_ID, TOKENIZER, TextTokenizer

FILES = ("saved_model", "tokenizer")  # result keys that name files of the export


class Predictor(tf.Module):
    """The serving wrapper: padded token ids in, decoded predictions out."""

    def __init__(self, model: tf.keras.Model, spec: TextSpec, max_length: int) -> None:
        super().__init__(name="predictor")
        self.model = model
        self.classes = tf.constant(spec.classes, tf.string)
        self.max_length = max_length
        # Batch and length both None: one signature serves any batch of any padding.
        token_ids = tf.TensorSpec([None, None], tf.int32, name="token_ids")
        self.serve = tf.function(self._serve, input_signature=[token_ids])

    def _serve(self, token_ids: tf.Tensor) -> dict[str, tf.Tensor]:
        # The model has positions for max_length tokens only; training cut texts there too.
        logits = self.model(token_ids[:, : self.max_length], training=False)
        return class_outputs(logits, self.classes)


def padded(ids: np.ndarray, extra: int) -> np.ndarray:
    """`ids` with `extra` more padding columns: the same texts, another sequence length."""
    return np.pad(ids, ((0, 0), (0, extra)), constant_values=PAD_ID)


def write_and_check(config: Config, model, spec: TextSpec, folder: Path) -> dict:
    saved_model, tokenizer_file = folder / "saved_model", folder / TOKENIZER
    spec.tokenizer.save(tokenizer_file)
    module = Predictor(model, spec, config.data.max_length)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})

    # The written tokenizer must give the very ids the model was trained with.
    texts = load_split(config.data, config.trainer.seed).val_texts[: config.export.check_batch]
    ids = spec.tokenizer.encode(texts, config.data.max_length)
    reloaded = TextTokenizer.load(tokenizer_file).encode(texts, config.data.max_length)
    serve = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE]
    # Two (batch, length) shapes: the whole check batch, and part of it padded further.
    shapes, diffs, names_match = [], [], True
    for batch in (ids, padded(ids[: max(1, len(ids) // 2)], 5)):
        expected = model(batch, training=False).numpy()
        outputs = serve(token_ids=tf.constant(batch, tf.int32))
        diffs.append(float(np.max(np.abs(outputs["logits"].numpy() - expected))))
        names = [n.decode() for n in outputs["class_name"].numpy()]
        names_match &= names == [spec.classes[i] for i in expected.argmax(axis=-1)]
        shapes.append(list(batch.shape))
    return {
        "saved_model": str(saved_model),
        "tokenizer": str(tokenizer_file),
        "classes": spec.classes,
        "signature": SIGNATURE,
        "input": "token_ids int32 [batch, length], 0 = padding",
        "check_texts": len(texts),
        "checked_shapes": shapes,
        "tokenizer_ids_match": bool(np.array_equal(ids, reloaded)),
        "max_abs_diff": max(diffs),
        "class_names_match": bool(names_match),
    }
