"""The tokenizer: a WordPiece vocabulary built from the training texts only, saved beside every
checkpoint and export as one `tokenizer.json`, so a model is never fed ids from another vocabulary.

Hugging Face `tokenizers` normalises, splits and encodes in Rust, and writes a file that the
`transformers` library and other tools read as well. The vocabulary is built here rather than by
its WordPiece trainer, which numbers its pieces in hash-map order and so learns a different
vocabulary in every process (huggingface/tokenizers#1794): two ranks, or a run and its resume,
would not agree. Here it is every character (as a word start and as a `##` continuation), then
whole words by frequency, ties alphabetical; a word outside it is spelled in pieces, so no
character seen in training becomes [UNK]. Id 0 is padding: the models build their masks from it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

from .errors import ConfigError

TOKENIZER = "tokenizer.json"
PAD, UNK = "[PAD]", "[UNK]"
PAD_ID = 0
CONTINUE = "##"


class TextTokenizer:
    """Texts to padded id arrays: the one place the project turns words into numbers."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        if tokenizer.token_to_id(PAD) != PAD_ID:
            raise ConfigError(f"the tokenizer must map {PAD} to id {PAD_ID}")
        self._tokenizer = tokenizer

    @classmethod
    def train(cls, texts: list[str], vocab_size: int) -> TextTokenizer:
        """The same vocabulary from the same texts, in any process."""
        normalizer = normalizers.BertNormalizer(lowercase=True)
        pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        words: Counter[str] = Counter()
        for text in texts:
            split = pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))
            words.update(word for word, _ in split)
        chars = sorted({c for word in words for c in word})
        pieces = [PAD, UNK, *chars, *(CONTINUE + c for c in chars)]
        frequent = sorted((w for w in words if len(w) > 1), key=lambda w: (-words[w], w))
        pieces += frequent[: max(0, vocab_size - len(pieces))]
        vocab = {piece: i for i, piece in enumerate(pieces)}
        tokenizer = Tokenizer(
            models.WordPiece(vocab, unk_token=UNK, continuing_subword_prefix=CONTINUE)
        )
        tokenizer.normalizer, tokenizer.pre_tokenizer = normalizer, pre_tokenizer
        return cls(tokenizer)

    @classmethod
    def from_str(cls, text: str) -> TextTokenizer:
        return cls(Tokenizer.from_str(text))

    @classmethod
    def load(cls, path: Path) -> TextTokenizer:
        if not path.is_file():
            raise ConfigError(f"{path} is missing: the model cannot read text without it")
        try:
            return cls(Tokenizer.from_file(str(path)))
        except Exception as exc:  # the Rust side raises plain Exception for a malformed file
            raise ConfigError(f"{path} is not a tokenizer file: {exc}") from exc

    def to_str(self) -> str:
        return self._tokenizer.to_str()

    def save(self, path: Path) -> None:
        path.write_text(self.to_str(), encoding="utf-8")

    @property
    def vocab_size(self) -> int:
        return self._tokenizer.get_vocab_size()

    def encode(self, texts: list[str], max_length: int) -> np.ndarray:
        """int32 ids of shape (len(texts), L): each text cut to `max_length` tokens, then padded
        with PAD_ID to the longest of them, so short sets make short arrays."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = [e.ids[:max_length] or [self._tokenizer.token_to_id(UNK)] for e in encodings]
        out = np.full((len(ids), max(map(len, ids), default=1)), PAD_ID, np.int32)
        for row, sequence in enumerate(ids):
            out[row, : len(sequence)] = sequence
        return out
