"""The tokenizer: byte-level BPE learnt from the training documents, saved beside every
checkpoint and export as one `tokenizer.json` (Hugging Face `tokenizers` format, which the
`transformers` library reads too), so a model is never fed ids from another vocabulary.

Ids 0-255 are the bytes, so any text encodes (no unknown token) and every id decodes; 256 is
the end-of-text token that separates documents and ends a generation; the rest are merges, in
the order they were learnt. The merges are learnt here rather than by the library's BPE trainer,
which breaks ties between equally frequent pairs in hash-map order: two ranks, or a run and its
resume, could learn different vocabularies. Here a tie goes to the pair that sorts first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

from .errors import ConfigError

TOKENIZER = "tokenizer.json"
END_OF_TEXT = "<|endoftext|>"
BYTES = 256


def byte_alphabet() -> list[str]:
    """The printable stand-in of each byte that byte-level BPE works on (GPT-2's mapping, which
    `pre_tokenizers.ByteLevel` applies): byte b is the character `byte_alphabet()[b]`."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
            *range(ord("®"), ord("ÿ") + 1)]  # fmt: skip
    alphabet, extra = {}, 0
    for b in range(BYTES):
        if b in keep:
            alphabet[b] = chr(b)
        else:
            alphabet[b] = chr(BYTES + extra)
            extra += 1
    return [alphabet[b] for b in range(BYTES)]


def learn_merges(words: Counter[str], merges: int) -> list[tuple[str, str]]:
    """Up to `merges` merges, each of the most frequent adjacent pair (ties: the first in sort
    order), counted over `words` (pre-tokenized, in the byte alphabet) weighted by frequency."""
    pieces = {word: list(word) for word in words}
    pairs: Counter[tuple[str, str]] = Counter()
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for word, symbols in pieces.items():
        for pair in pairwise(symbols):
            pairs[pair] += words[word]
            holders[pair].add(word)
    learnt: list[tuple[str, str]] = []
    while len(learnt) < merges and pairs:
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:  # a pair seen once is not a pattern
            break
        learnt.append(best)
        for word in sorted(holders.pop(best)):
            symbols = pieces[word]
            for pair in pairwise(symbols):  # forget the old pairs
                pairs[pair] -= words[word]
                if pairs[pair] <= 0:
                    del pairs[pair]
            merged, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            pieces[word] = merged
            for pair in pairwise(merged):  # and count the new ones
                pairs[pair] += words[word]
                holders[pair].add(word)
    return learnt


class BPETokenizer:
    """Texts to ids and back: the one place the project turns text into numbers."""

    def __init__(self, tokenizer: Tokenizer, end_of_text: int | None = None) -> None:
        """`end_of_text`: the id that separates documents and ends a generation, where it is not
        the end-of-text token's (a pretrained model's own tokenizer)."""
        if end_of_text is None:
            end_of_text = tokenizer.token_to_id(END_OF_TEXT)
            if end_of_text is None:
                raise ConfigError(f"the tokenizer has no {END_OF_TEXT} token")
        self._tokenizer, self.end_of_text = tokenizer, end_of_text

    @classmethod
    def train(cls, documents: list[str], vocab_size: int) -> BPETokenizer:
        """The same vocabulary from the same documents, in any process."""
        pre = pre_tokenizers.ByteLevel(add_prefix_space=False)
        words: Counter[str] = Counter()
        for doc in documents:
            words.update(word for word, _ in pre.pre_tokenize_str(doc))
        merges = learn_merges(words, vocab_size - BYTES - 1)
        vocab = {symbol: i for i, symbol in enumerate(byte_alphabet())}
        vocab[END_OF_TEXT] = BYTES
        for a, b in merges:
            vocab[a + b] = len(vocab)
        tokenizer = Tokenizer(models.BPE(vocab, merges))
        tokenizer.pre_tokenizer = pre
        tokenizer.decoder = decoders.ByteLevel()
        tokenizer.add_special_tokens([AddedToken(END_OF_TEXT, special=True)])
        return cls(tokenizer)

    @classmethod
    def from_str(cls, text: str, end_of_text: int | None = None) -> BPETokenizer:
        return cls(Tokenizer.from_str(text), end_of_text)

    @classmethod
    def load(cls, path: Path, end_of_text: int | None = None) -> BPETokenizer:
        if not path.is_file():
            raise ConfigError(f"{path} is missing: the model cannot read text without it")
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # the Rust side raises plain Exception for a malformed file
            raise ConfigError(f"{path} is not a tokenizer file: {exc}") from exc
        return cls(tokenizer, end_of_text)

    def to_str(self) -> str:
        return self._tokenizer.to_str()

    def save(self, path: Path) -> None:
        path.write_text(self.to_str(), encoding="utf-8")

    @property
    def vocab_size(self) -> int:
        return self._tokenizer.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        return self._tokenizer.encode(text).ids

    def stream(self, documents: list[str]) -> np.ndarray:
        """int32 ids of every document in turn, each followed by the end-of-text token."""
        encoded = self._tokenizer.encode_batch(documents)
        ids = [token for e in encoded for token in (*e.ids, self.end_of_text)]
        return np.asarray(ids, dtype=np.int32)

    def decode(self, ids: list[int]) -> str:
        """Text of `ids`; a multi-byte character cut in half decodes to U+FFFD."""
        return self._tokenizer.decode(ids, skip_special_tokens=True)
