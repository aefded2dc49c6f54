"""The text references' data: the template's own corpus and tokenizer, imported from _shared.

`templates/_shared/src/tasks/text/corpus.py` and `tokenizer.py` are framework-neutral (NumPy and
Hugging Face `tokenizers`), so the references load them as they are (with a stand-in for their
`.errors` module) instead of re-implementing them: the same seeded synthetic reviews, the same
split (20 % held out by a seeded permutation) and the same WordPiece vocabulary built from the
training texts, encoded to int32 ids padded with 0.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "templates" / "_shared" / "src" / "tasks" / "text"
PAD_ID = 0  # tokenizer.PAD_ID: the models build their padding masks from it
# The generated projects' `[data]` defaults.
MAX_LENGTH = 64
VOCAB_SIZE = 2000


def _module(name: str) -> types.ModuleType:
    """`_shared/.../text/<name>.py` as a submodule of a stand-in package, for `.errors`."""
    package = "_bench_text"
    if f"{package}.{name}" in sys.modules:
        return sys.modules[f"{package}.{name}"]
    if package not in sys.modules:
        stand_in = types.ModuleType(package)
        stand_in.__path__ = [str(SHARED)]
        errors = types.ModuleType(f"{package}.errors")
        errors.ConfigError = type("ConfigError", (ValueError,), {})
        sys.modules[package], sys.modules[f"{package}.errors"] = stand_in, errors
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", SHARED / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load(num_samples: int, seed: int, val_fraction: float = 0.2):
    """(vocab_size, num_classes, (train ids, labels), (val ids, labels)): ids int32
    [texts, longest text] padded with PAD_ID, labels int64."""
    corpus = _module("corpus").load_corpus(
        "synthetic", text_column="text", label_column="label", num_samples=num_samples,
        val_fraction=val_fraction, seed=seed,
    )  # fmt: skip
    tokenizer = _module("tokenizer").TextTokenizer.train(corpus.train_texts, VOCAB_SIZE)

    def arrays(texts: list[str], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return tokenizer.encode(texts, MAX_LENGTH), labels

    train = arrays(corpus.train_texts, corpus.train_labels)
    val = arrays(corpus.val_texts, corpus.val_labels)
    return tokenizer.vocab_size, len(corpus.classes), train, val
