"""What a language-model run keeps besides the common files: its tokenizer and context length,
the loss and perplexity over every held-out token beside the unigram baseline, the export of token
ids to next-token scores, and continuations from the checkpoint and from the export."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.checkpoint import load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import META_FILE, new_split, read_meta, run_split, score
from {{ cookiecutter.package_name }}.tokenizer import BPETokenizer
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=2, tensorboard=False)
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def test_scores_are_over_every_held_out_token_beside_the_unigram_baseline(trained) -> None:
    cfg, run, result = trained
    assert json.loads((run / META_FILE).read_text())["context_length"] == 16
    assert result["context_length"] == 16 and result["vocab_size"] <= 300
    assert result["num_train_tokens"] > result["num_val_tokens"] > 0
    assert 1 < result["baselines"]["unigram"]["perplexity"] < result["vocab_size"]
    split = new_split(cfg, seed=0)
    model, _ = load_checkpoint(run)
    scores = np.float64(keras.ops.convert_to_numpy(model(split.x_val)))
    expected = score(scores, split.y_val, split.meta)
    evaluated = evaluate(cfg, run)
    for name in ("loss", "perplexity"):
        assert evaluated[name] == pytest.approx(expected[name], rel=1e-5)
    assert evaluated["perplexity"] == pytest.approx(np.exp(evaluated["loss"]))


def test_export_and_continue_from_checkpoint_and_export(trained) -> None:
    cfg, run, _ = trained
    with pytest.raises(ProjectError, match="export` first"):
        predict(cfg, run, ["anna"], None, True)
    exported = export(cfg, run)
    assert exported["max_abs_diff"] < 1e-4
    tokenizer = BPETokenizer.load(Path(exported["tokenizer"]))
    assert tokenizer.to_str() == read_meta(run).tokenizer.to_str()
    generation = json.loads(Path(exported["generation"]).read_text())
    assert generation == {"context_length": 16, "end_of_text": tokenizer.end_of_text}
    prompts = ["anna lives near", "the dog", ""]
    for options in ({"temperature": 0.0}, {"temperature": 1.2, "top_k": 20, "seed": 4}):
        first, second = (predict(cfg, run, prompts, None, e, max_new_tokens=12, **options)
                         for e in (False, True))  # fmt: skip
        assert second["source"] == exported["path"]
        assert first["predictions"] == second["predictions"]
        assert [p["input"] for p in first["predictions"]] == prompts


def test_greedy_continuation_follows_the_argmax(trained) -> None:
    cfg, run, _ = trained
    (only,) = predict(cfg, run, ["ben has a"], None, False, max_new_tokens=6,
                      temperature=0)["predictions"]  # fmt: skip
    model, _ = load_checkpoint(run)
    tokenizer = read_meta(run).tokenizer
    ids = tokenizer.encode("ben has a")
    for _ in range(only["num_tokens"]):
        scores = keras.ops.convert_to_numpy(model(np.asarray([ids[-16:]], np.int32)))
        ids.append(int(scores[0, -1].argmax()))
    assert tokenizer.decode(ids) == "ben has a" + only["completion"]


def test_another_corpus_is_refused(trained, tmp_path: Path) -> None:
    cfg, run, _ = trained
    (tmp_path / "other.txt").write_text("other words.\n\nquite other words.\n" * 30)
    cfg.data.source = str(tmp_path / "other.txt")
    try:
        with pytest.raises(ConfigError, match="another tokenizer") as refused:
            run_split(cfg.data, 0, read_meta(run))
    finally:
        cfg.data.source = "synthetic"
    assert "\n" not in str(refused.value)
