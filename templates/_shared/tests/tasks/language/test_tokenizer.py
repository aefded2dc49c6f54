"""The byte-level BPE tokenizer: any text in and back out, the same vocabulary in any process,
merges of what repeats, documents joined by the end-of-text token, and the file it is saved as."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.corpus import synthetic_documents
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.tokenizer import (
    BYTES,
    END_OF_TEXT,
    BPETokenizer,
    byte_alphabet,
    learn_merges,
)


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    return BPETokenizer.train(synthetic_documents(300, seed=0), vocab_size=400)


def test_every_byte_has_its_own_printable_symbol() -> None:
    alphabet = byte_alphabet()
    assert len(set(alphabet)) == BYTES and alphabet[ord("a")] == "a"
    assert all(symbol.isprintable() and not symbol.isspace() for symbol in alphabet)


def test_any_text_round_trips(tokenizer: BPETokenizer) -> None:
    for text in ("anna lives near the mill.", "Zürich, 東京 and 🙂!", "  two  spaces\n\ttab", ""):
        assert tokenizer.decode(tokenizer.encode(text)) == text


def test_repeated_words_become_single_tokens(tokenizer: BPETokenizer) -> None:
    assert tokenizer.vocab_size <= 400
    assert len(tokenizer.encode(" lives")) == 1  # in every story
    assert len(tokenizer.encode(" xylophone")) > 3  # never seen: spelled in pieces


def test_the_same_documents_give_the_same_vocabulary(tokenizer: BPETokenizer) -> None:
    again = BPETokenizer.train(synthetic_documents(300, seed=0), vocab_size=400)
    assert again.to_str() == tokenizer.to_str()


def test_ties_go_to_the_pair_that_sorts_first() -> None:
    # "ab" and "cd" occur equally often; "ab" sorts first, so it is merged first.
    assert learn_merges({"cdab": 3, "abcd": 3}, 1) == [("a", "b")]
    assert learn_merges({"xy": 1}, 5) == []  # a pair seen once is no pattern


def test_documents_are_joined_by_the_end_of_text_token(tokenizer: BPETokenizer) -> None:
    stream = tokenizer.stream(["ben.", "the cat."])
    end = tokenizer.end_of_text
    assert end == BYTES and tokenizer.encode(END_OF_TEXT) == [end]
    assert stream.tolist() == [*tokenizer.encode("ben."), end, *tokenizer.encode("the cat."), end]
    assert tokenizer.decode(stream.tolist()) == "ben.the cat."  # special tokens are skipped


def test_saved_and_loaded(tokenizer: BPETokenizer, tmp_path: Path) -> None:
    tokenizer.save(tmp_path / "tokenizer.json")
    loaded = BPETokenizer.load(tmp_path / "tokenizer.json")
    assert loaded.encode("gus counts one, two") == tokenizer.encode("gus counts one, two")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a tokenizer file"):
        BPETokenizer.load(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="is missing"):
        BPETokenizer.load(tmp_path / "absent.json")
