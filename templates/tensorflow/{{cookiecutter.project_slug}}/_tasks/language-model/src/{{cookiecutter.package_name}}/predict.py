"""`predict`: a continuation of each prompt, sampled token by token (`sampling.py`) from a run's
checkpoint or its exported SavedModel, encoded and decoded with the run's own tokenizer (the
checkpoint's copy, or the tokenizer.json beside the export)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from .checkpoint import load_trained_model, resolve_checkpoint
from .config import Config
from .export import exported as exported_folder
from .sampling import generate
from .serving import GENERATION, TOKENIZER
from .signatures import SIGNATURE
from .tokenizer import BPETokenizer


def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool,
    max_new_tokens: int = 100, temperature: float = 1.0, top_k: int = 50, seed: int = 0,
) -> dict:  # fmt: skip
    if exported:
        folder = exported_folder(run)
        source = folder / "saved_model"
        tokenizer = BPETokenizer.load(folder / TOKENIZER)
        context = json.loads((folder / GENERATION).read_text("utf-8"))["context_length"]
        serve = tf.saved_model.load(str(source)).signatures[SIGNATURE]

        def scores(window: np.ndarray) -> np.ndarray:
            return serve(token_ids=tf.constant(window, tf.int32))["scores"].numpy()
    else:
        source = resolve_checkpoint(run, checkpoint)
        model, spec = load_trained_model(config, str(source))
        tokenizer, context = spec.tokenizer, spec.context_length
        forward = tf.function(lambda ids: model(ids, training=False), reduce_retracing=True)

        def scores(window: np.ndarray) -> np.ndarray:
            return forward(tf.constant(window, tf.int32)).numpy()

    predictions = []
    for prompt in inputs:
        new = generate(scores, tokenizer.encode(prompt), context, tokenizer.end_of_text,
                       max_new_tokens, temperature, top_k, seed)  # fmt: skip
        predictions.append({"input": prompt, "completion": tokenizer.decode(new),
                            "num_tokens": len(new)})  # fmt: skip
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
