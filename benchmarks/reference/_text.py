"""The text references' data: the template's own corpus and tokenizer, imported from _shared.

`templates/_shared/src/tasks/text/corpus.py` and `tokenizer.py` are framework-neutral (NumPy and
Hugging Face `tokenizers`), so the references load them as they are (with a stand-in for their
`.errors` module) instead of re-implementing them: the same seeded synthetic reviews, the same
split (20 % held out by a seeded permutation) and the same WordPiece vocabulary built from the
training texts, encoded to int32 ids padded with 0.
"""

from __future__ import annotations

import numpy as np
from _common import shared_module

PAD_ID = 0  # tokenizer.PAD_ID: the models build their padding masks from it
# The generated projects' `[data]` defaults.
MAX_LENGTH = 64
VOCAB_SIZE = 2000


def load(num_samples: int, seed: int, val_fraction: float = 0.2):
    """(vocab_size, num_classes, (train ids, labels), (val ids, labels)): ids int32
    [texts, longest text] padded with PAD_ID, labels int64."""
    corpus = shared_module("text", "corpus").load_corpus(
        "synthetic", text_column="text", label_column="label", num_samples=num_samples,
        val_fraction=val_fraction, seed=seed,
    )  # fmt: skip
    tokenizer_class = shared_module("text", "tokenizer").TextTokenizer
    tokenizer = tokenizer_class.train(corpus.train_texts, VOCAB_SIZE)

    def arrays(texts: list[str], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return tokenizer.encode(texts, MAX_LENGTH), labels

    train = arrays(corpus.train_texts, corpus.train_labels)
    val = arrays(corpus.val_texts, corpus.val_labels)
    return tokenizer.vocab_size, len(corpus.classes), train, val
