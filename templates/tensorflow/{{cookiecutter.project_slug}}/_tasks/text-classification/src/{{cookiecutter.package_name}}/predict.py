"""Prediction for texts (each argument a text, or a file with one text per line), with a run's
checkpoint or its export. Both encode with the run's own tokenizer: the checkpoint's copy, or the
tokenizer.json beside the export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .corpus import read_inputs
from .export import exported as exported_folder
from .signatures import SIGNATURE
from .tokenizer import TOKENIZER, TextTokenizer


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool
) -> dict:
    """A label and its probability for every text."""
    texts = read_inputs(inputs)
    if exported:
        folder = exported_folder(run)
        source = folder / "saved_model"
        tokenizer = TextTokenizer.load(folder / TOKENIZER)
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]

        def run_ids(ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
            outputs = serve(token_ids=tf.constant(ids, tf.int32))
            names = [n.decode() for n in outputs["class_name"].numpy()]
            return outputs["probabilities"].numpy(), names
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, spec = load_trained_model(config, str(source))
        tokenizer = spec.tokenizer

        def run_ids(ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
            probabilities = tf.nn.softmax(model(ids, training=False)).numpy()
            return probabilities, [spec.classes[i] for i in probabilities.argmax(axis=-1)]

    predictions = _batched(texts, tokenizer, run_ids, config)
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}


def _batched(
    texts: list[str],
    tokenizer: TextTokenizer,
    run_ids: Callable[[np.ndarray], tuple[np.ndarray, list[str]]],
    config: Config,
) -> list[dict]:
    """Texts in batches of data.batch_size, each padded to its own longest text."""
    predictions, size = [], config.data.batch_size
    for start in range(0, len(texts), size):
        chunk = texts[start : start + size]
        probabilities, names = run_ids(tokenizer.encode(chunk, config.data.max_length))
        for text, name, p in zip(chunk, names, probabilities, strict=True):
            predictions.append({"input": text, "label": name, "probability": float(p.max())})
    return predictions
