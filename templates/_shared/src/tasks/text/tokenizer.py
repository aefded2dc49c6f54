"""The tokenizer: a WordPiece vocabulary built from the training texts only, saved beside every
checkpoint and export as one `tokenizer.json`, so a model is never fed ids from another vocabulary.

Hugging Face `tokenizers` normalises, splits and encodes in Rust, and writes a file that the
`transformers` library and other tools read as well. The vocabulary is built here rather than by
its WordPiece trainer, which numbers its pieces in hash-map order and so learns a different
vocabulary in every process (huggingface/tokenizers#1794): two ranks, or a run and its resume,
would not agree. Here it is every character (as a word start and as a `##` continuation), then
whole words by frequency, ties alphabetical; a word outside it is spelled in pieces, so no
character seen in training becomes [UNK]. Id 0 is padding: the models build their masks from it.
A pretrained model's own tokenizer is wrapped as it is, its padding id kept in its padding
settings.
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

    def __init__(self, tokenizer: Tokenizer, pad: str | None = None) -> None:
        """`pad`: a pretrained tokenizer's own padding token; it is kept in the tokenizer's
        padding settings, so that its file says which id the model masks."""
        if pad is not None:
            pad_id = tokenizer.token_to_id(pad)
            if pad_id is None:
                raise ConfigError(f"the tokenizer has no id for its padding token {pad!r}")
            tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
        elif tokenizer.padding is None and tokenizer.token_to_id(PAD) != PAD_ID:
            raise ConfigError(f"the tokenizer must map {PAD} to id {PAD_ID}")
        self._tokenizer = tokenizer
        self.pad_id = tokenizer.padding["pad_id"] if tokenizer.padding else PAD_ID

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
        with the padding id to the longest of them, so short sets make short arrays."""
        encodings = self._tokenizer.encode_batch(list(texts))
        # An empty text still gets one token: a row that is all padding would mask everything.
        empty = [self._tokenizer.token_to_id(UNK) or self.pad_id]
        ids = [e.ids[: min(sum(e.attention_mask), max_length)] or empty for e in encodings]
        out = np.full((len(ids), max(map(len, ids), default=1)), self.pad_id, np.int32)
        for row, sequence in enumerate(ids):
            out[row, : len(sequence)] = sequence
        return out
