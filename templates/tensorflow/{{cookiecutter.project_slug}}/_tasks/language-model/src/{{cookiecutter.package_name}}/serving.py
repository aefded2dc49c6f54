"""The language model's serving artifact: a SavedModel of next-token scores, and what a client
needs beside it to encode, continue and decode text.

    <run>/export/saved_model/      serving_default: token_ids int32 [batch, length] (any batch,
                                   length 1 to context_length) -> scores float32 [batch, length,
                                   vocab], the next token's logits at every position
    <run>/export/tokenizer.json    the training tokenizer (Hugging Face `tokenizers` format)
    <run>/export/generation.json   the context length and the end-of-text id

A client encodes a prompt with tokenizer.json, calls the signature on the last context_length ids,
draws the next id from the last position's scores, and stops at the end-of-text id.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import Config
from .corpus import load_documents
from .data import pairs
from .signatures import SIGNATURE
from .task import LanguageSpec
from .tokenizer import BPETokenizer

FILES = ("saved_model", "tokenizer", "generation")  # result keys that name files of the export
TOKENIZER, GENERATION = "tokenizer.json", "generation.json"


class Scorer(tf.Module):
    def __init__(self, model: tf.keras.Model) -> None:
        super().__init__(name="scorer")
        self.model = model
        token_ids = tf.TensorSpec([None, None], tf.int32, name="token_ids")
        self.serve = tf.function(self._serve, input_signature=[token_ids])

    def _serve(self, token_ids: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"scores": tf.cast(self.model(token_ids, training=False), tf.float32)}


def held_out_windows(config: Config, spec: LanguageSpec, count: int) -> np.ndarray:
    """The first `count` held-out windows, encoded with the run's own tokenizer."""
    d = config.data
    docs = load_documents(d.source, d.num_documents, d.val_fraction, config.trainer.seed)
    inputs, _ = pairs(spec.tokenizer.stream(docs.val), spec.context_length, "held-out")
    return inputs[:count]


def write_and_check(config: Config, model, spec: LanguageSpec, folder: Path) -> dict:
    saved_model, tokenizer_file = folder / "saved_model", folder / TOKENIZER
    generation = folder / GENERATION
    module = Scorer(model)
    tf.saved_model.save(module, str(saved_model), signatures={SIGNATURE: module.serve})
    spec.tokenizer.save(tokenizer_file)
    settings = {"context_length": spec.context_length, "end_of_text": spec.tokenizer.end_of_text}
    generation.write_text(json.dumps(settings) + "\n", encoding="utf-8")

    windows = held_out_windows(config, spec, config.export.check_batch)
    serve = tf.saved_model.load(str(saved_model)).signatures[SIGNATURE]
    shapes, diffs = [], []
    # The whole check batch at the full context, and one window cut to about half of it.
    for batch in (windows, windows[:1, : spec.context_length // 2 + 1]):
        served = serve(token_ids=tf.constant(batch))["scores"].numpy()
        expected = tf.cast(model(batch, training=False), tf.float32).numpy()
        diffs.append(float(np.max(np.abs(served - expected))))
        shapes.append(list(batch.shape))
    reloaded = BPETokenizer.load(tokenizer_file)
    return {
        "saved_model": str(saved_model),
        "tokenizer": str(tokenizer_file),
        "generation": str(generation),
        "signature": SIGNATURE,
        "input": f"token_ids int32 [batch, length], length 1 to {spec.context_length}",
        "output": f"scores float32 [batch, length, {spec.vocab_size}]: next-token logits",
        "checked_shapes": shapes,
        "tokenizer_matches": reloaded.to_str() == spec.tokenizer.to_str(),
        "max_abs_diff": max(diffs),
    }
