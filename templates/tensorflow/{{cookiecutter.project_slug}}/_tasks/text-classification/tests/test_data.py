import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.corpus import METRIC_MODES as CORPUS_METRIC_MODES
from {{ cookiecutter.package_name }}.data import load_datasets, load_split
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES


def _csv(path, n=90):
    topics = {"sport": "goal match team", "food": "bread soup cheese", "tech": "chip code disk"}
    lines = ["text,label"]
    for i in range(n):
        name = list(topics)[i % 3]
        lines.append(f"the {topics[name].split()[i % 3]} was there,{name}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _labels(ds) -> list[int]:
    return [int(v) for _, labels in ds for v in labels]


def test_metric_modes_match_the_corpus():
    assert METRIC_MODES == CORPUS_METRIC_MODES


def test_the_tokenizer_sees_only_the_training_texts(tmp_path):
    cfg = DataConfig(source=str(_csv(tmp_path / "t.csv")), batch_size=8, vocab_size=50)
    data = load_datasets(cfg, seed=0)
    corpus = load_split(cfg, seed=0)
    assert data.spec.classes == ["food", "sport", "tech"] == corpus.classes
    assert data.summary["num_classes"] == 3 and "majority" in data.summary["baselines"]


def test_batches_are_int32_ids_cut_to_max_length():
    cfg = DataConfig(num_samples=200, batch_size=16, max_length=4)
    data = load_datasets(cfg, seed=0)
    ids, labels = next(iter(data.train_batches(epoch=1)))
    assert ids.dtype.name == "int32" and ids.shape == (16, 4) and labels.dtype.is_integer
    assert np.all(ids.numpy() < data.spec.tokenizer.vocab_size)


def test_each_epoch_has_its_own_order_and_it_is_reproducible():
    cfg = DataConfig(num_samples=200, batch_size=16)
    first, again = load_datasets(cfg, seed=0), load_datasets(cfg, seed=0)
    rows1 = [tuple(r) for ids, _ in first.train_batches(1) for r in ids.numpy()]
    rows2 = [tuple(r) for ids, _ in first.train_batches(2) for r in ids.numpy()]
    assert rows1 != rows2 and len(rows1) == len(rows2)
    epoch2 = _labels(first.train_batches(2))
    assert _labels(again.train_batches(2)) == epoch2
    assert _labels(again.train_batches(2, skip=3)) == epoch2[3 * 16 :]


def test_a_missing_text_column_is_one_line(tmp_path):
    cfg = DataConfig(source=str(_csv(tmp_path / "t.csv")), text_column="body")
    with pytest.raises(ConfigError, match=r"data\.text_column") as caught:
        load_datasets(cfg, seed=0)
    assert "\n" not in str(caught.value)
