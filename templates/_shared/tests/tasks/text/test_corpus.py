"""Reading texts, the tokenizer and the scores: what every model input and reported number rests
on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.corpus import (
    load_corpus,
    read_inputs,
    read_texts,
    synthetic_texts,
)
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.tokenizer import PAD_ID, TextTokenizer

COLUMNS = {"text_column": "text", "label_column": "label", "num_samples": 0, "seed": 0}


def test_synthetic_texts_are_seeded_and_balanced() -> None:
    texts, labels = synthetic_texts(400, seed=3)
    assert (texts, labels) == synthetic_texts(400, seed=3)
    assert texts != synthetic_texts(400, seed=4)[0]
    assert 0.4 < labels.count("positive") / len(labels) < 0.6


def test_every_file_format_gives_the_same_texts(tmp_path: Path) -> None:
    rows = [("a fine day", "good"), ("a poor, wet day", "bad"), ('he said "no"', 1)]
    (tmp_path / "t.csv").write_text(
        "label,text\n" + "".join(f'{y},"{x.replace(chr(34), chr(34) * 2)}"\n' for x, y in rows)
    )
    (tmp_path / "t.tsv").write_text("text\tlabel\n" + "".join(f"{x}\t{y}\n" for x, y in rows))
    (tmp_path / "t.jsonl").write_text(
        "".join(json.dumps({"text": x, "label": y}) + "\n\n" for x, y in rows)
    )
    expected = ([x for x, _ in rows], ["good", "bad", "1"])
    for name in ("t.csv", "t.tsv", "t.jsonl"):
        assert read_texts(str(tmp_path / name), **COLUMNS) == expected, name


def test_a_folder_of_classes_is_read_in_a_fixed_order(tmp_path: Path) -> None:
    for label, texts in {"spam": ["buy now", "cheap pills"], "ham": ["see you at noon"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    (tmp_path / "notes.md").write_text("not a class")
    texts, labels = read_texts(str(tmp_path), **COLUMNS)
    assert labels == ["ham", "spam", "spam"] and texts[0] == "see you at noon"


def test_rows_without_text_or_label_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("text,label\nfirst,a\n,b\nthird,\nfourth,b\n")
    assert read_texts(str(tmp_path / "t.csv"), **COLUMNS) == (["first", "fourth"], ["a", "b"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("words,label\nhi,a\nho,b\n", "data.text_column"),
        ("text,label\nonly one,a\n", "fewer than 2"),
        ("", "has no rows"),
    ],
)
def test_unusable_files_are_one_line_errors(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "t.csv").write_text(content)
    with pytest.raises(ConfigError, match=expected):
        read_texts(str(tmp_path / "t.csv"), **COLUMNS)


def test_the_split_is_seeded_and_classes_come_from_training_texts(tmp_path: Path) -> None:
    lines = "".join(f"text {i},{'abc'[i % 3]}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("text,label\n" + lines)
    options = {"text_column": "text", "label_column": "label", "num_samples": 0}
    first = load_corpus(str(tmp_path / "t.csv"), val_fraction=0.2, seed=1, **options)
    again = load_corpus(str(tmp_path / "t.csv"), val_fraction=0.2, seed=1, **options)
    assert first.val_texts == again.val_texts and len(first.val_texts) == 6
    assert not set(first.val_texts) & set(first.train_texts)
    assert first.classes == ["a", "b", "c"]
    expected = ["abc"[int(text.split()[1]) % 3] for text in first.val_texts]
    assert [first.classes[i] for i in first.val_labels] == expected
    (tmp_path / "numbers.csv").write_text(
        "text,label\n" + "".join(f"t{i},{i % 12}\n" for i in range(48))
    )
    numbers = load_corpus(str(tmp_path / "numbers.csv"), val_fraction=0.1, seed=0, **options)
    assert numbers.classes[:3] == ["0", "1", "2"] and numbers.classes[-1] == "11"


def test_a_held_out_class_without_training_texts_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        "text,label\n" + "".join(f"t{i},a\n" for i in range(9)) + "z,b\n"
    )
    options = {"text_column": "text", "label_column": "label", "num_samples": 0}
    for seed in range(20):  # some seed holds the single "b" out
        try:
            load_corpus(str(tmp_path / "t.csv"), val_fraction=0.1, seed=seed, **options)
        except ConfigError as error:
            assert "training" in str(error)
            return
    raise AssertionError("no seed held out the only text of class b")


def test_the_tokenizer_round_trips_and_pads_with_zero() -> None:
    texts, _ = synthetic_texts(200, seed=0)
    tokenizer = TextTokenizer.train(texts, vocab_size=500)
    ids = tokenizer.encode(["good", "the film was not good and the music was fine"], max_length=64)
    assert ids.dtype == np.int32 and ids.shape[0] == 2
    assert (ids[0, 1:] == PAD_ID).all() and (ids[1] != PAD_ID).all()
    assert tokenizer.encode(["the film was not good and the music"], max_length=3).shape == (1, 3)
    again = TextTokenizer.from_str(tokenizer.to_str())
    assert (again.encode(texts, 64) == tokenizer.encode(texts, 64)).all()


def test_every_process_builds_the_same_tokenizer() -> None:
    """Ranks and resumed runs build the tokenizer in processes of their own; with string hashing
    seeded differently they must still agree on every id."""
    code = (
        "from {{ cookiecutter.package_name }}.corpus import synthetic_texts\n"
        "from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer\n"
        "print(TextTokenizer.train(synthetic_texts(300, seed=0)[0], vocab_size=200).to_str())"
    )
    built = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert built[0] == built[1] and '"##' in built[0]


def test_a_broken_tokenizer_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing"):
        TextTokenizer.load(tmp_path / "tokenizer.json")
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not a tokenizer"):
        TextTokenizer.load(tmp_path / "tokenizer.json")


def test_predict_inputs_are_texts_or_files_of_lines(tmp_path: Path) -> None:
    (tmp_path / "lines.txt").write_text("first line\n\nsecond line\n")
    assert read_inputs(["a text", str(tmp_path / "lines.txt")]) == [
        "a text",
        "first line",
        "second line",
    ]
    with pytest.raises(ConfigError, match="nothing to classify"):
        read_inputs(["  "])
