"""The language model's documents: synthetic stories, text files and folders (and the files they
refuse), the split of whole documents, the token windows and the unigram baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.corpus import (
    load_documents,
    read_documents,
    split_paragraphs,
    synthetic_documents,
    unigram_perplexity,
    windows,
)
from {{ cookiecutter.package_name }}.errors import ConfigError

LATIN_1 = "café\n\nbar".encode("latin-1")


def test_synthetic_stories_are_seeded_and_tell_fixed_facts() -> None:
    stories = synthetic_documents(200, seed=1)
    assert stories == synthetic_documents(200, seed=1) != synthetic_documents(200, seed=2)
    text = " ".join(stories)
    assert "anna lives near the mill." in text and "anna lives near the farm." not in text
    assert "the cat eats fish." in text and "the cat eats hay." not in text


def test_a_file_is_split_into_paragraphs_or_else_lines() -> None:
    assert split_paragraphs("one\nstill one\n\n  \ntwo\n") == ["one\nstill one", "two"]
    assert split_paragraphs("a line\nanother\n\n") == ["a line", "another"]


def test_a_folder_of_text_files_is_read_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("first.\n\nsecond.", encoding="utf-8")
    (tmp_path / "b" / "c.md").write_text("thïrd ✓", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("not,text", encoding="utf-8")
    assert read_documents(str(tmp_path)) == ["first.", "second.", "thïrd ✓"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "nowhere", "does not exist"),
        (lambda root: root, "holds 0 documents"),
        (lambda root: _write(root / "one.txt", b"a single line"), "holds 1 documents"),
        (lambda root: _write(root / "latin1.txt", LATIN_1), "latin1.txt is not UTF-8 text"),
    ],
)
def test_what_cannot_be_read_is_one_line(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        read_documents(str(make(tmp_path)))
    assert "\n" not in str(refused.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_whole_documents_are_held_out_with_a_seed() -> None:
    docs = load_documents("synthetic", 50, 0.2, seed=3)
    assert (len(docs.train), len(docs.val)) == (40, 10)
    assert load_documents("synthetic", 50, 0.2, seed=3) == docs
    assert sorted(docs.train + docs.val) == sorted(synthetic_documents(50, seed=3))
    assert load_documents("synthetic", 50, 0.2, seed=4).val != docs.val


def test_windows_are_consecutive_and_shift_by_one() -> None:
    stream = np.arange(23, dtype=np.int32)
    cut = windows(stream, 5, "training")
    assert cut.shape == (4, 6) and cut.dtype == np.int64
    np.testing.assert_array_equal(cut[1], [5, 6, 7, 8, 9, 10])  # the next window starts at 5
    with pytest.raises(ConfigError, match=r"held-out documents hold 4 tokens.*context_length"):
        windows(stream[:4], 5, "held-out")


def test_the_unigram_baseline_is_the_vocabulary_for_uniform_text() -> None:
    uniform = np.arange(10).repeat(100)
    assert unigram_perplexity(uniform, uniform, 10) == pytest.approx(10.0)
    skewed = np.array([0] * 90 + [1] * 10)
    assert unigram_perplexity(skewed, skewed, 2) < 2.0
