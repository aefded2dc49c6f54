"""What a language-model run gives besides the common files: the loss and perplexity over every
held-out token beside the unigram baseline, the export of token ids to next-token scores with its
tokenizer, and the same continuations from the checkpoint and from the export."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.corpus import load_documents
from {{ cookiecutter.package_name }}.data import pairs
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.tokenizer import BPETokenizer


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


def test_train_reports_the_baseline_it_must_beat(trained):
    config, result = trained
    assert result["context_length"] == 16 and result["vocab_size"] <= 300
    assert result["num_train_tokens"] > result["num_val_tokens"] > 0
    assert 1 < result["baselines"]["unigram"]["perplexity"] < result["vocab_size"]
    metrics = evaluate(config, Path(result["run_dir"]))
    assert metrics["val_loss"] == pytest.approx(result["best_val_loss"], rel=1e-5)
    assert metrics["val_perplexity"] == pytest.approx(np.exp(metrics["val_loss"]), rel=1e-5)
    json.dumps(result, allow_nan=False)


def test_the_loss_is_the_mean_over_every_held_out_token(trained):
    config, result = trained
    run = Path(result["run_dir"])
    model, spec = load_trained_model(config, resolve_checkpoint(run))
    d = config.data
    docs = load_documents(d.source, d.num_documents, d.val_fraction, config.trainer.seed)
    ids, targets = pairs(spec.tokenizer.stream(docs.val), 16, "held-out")
    logits = np.float64(model(ids, training=False).numpy()).reshape(-1, spec.vocab_size)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(len(log_p)), targets.reshape(-1)].mean()
    assert evaluate(config, run)["val_loss"] == pytest.approx(expected, rel=1e-5)


def test_the_export_scores_any_batch_and_length(trained, exported):
    assert exported["max_abs_diff"] < 1e-4 and exported["tokenizer_matches"]
    assert exported["checked_shapes"] == [[4, 16], [1, 9]]
    generation = json.loads(Path(exported["generation"]).read_text(encoding="utf-8"))
    tokenizer = BPETokenizer.load(Path(exported["tokenizer"]))
    assert generation == {"context_length": 16, "end_of_text": tokenizer.end_of_text}
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    ids = tokenizer.encode("anna lives near")
    scores = serve(token_ids=tf.constant([ids], tf.int32))["scores"]
    assert scores.shape == (1, len(ids), tokenizer.vocab_size)


def test_checkpoint_and_export_continue_prompts_alike(trained, exported):
    config, result = trained
    run = Path(result["run_dir"])
    prompts = ["anna lives near", "the dog", ""]
    for options in ({"temperature": 0.0}, {"temperature": 1.2, "top_k": 20, "seed": 4}):
        first, second = (predict(config, run, prompts, None, e, max_new_tokens=12, **options)
                         for e in (False, True))  # fmt: skip
        assert second["source"].endswith("saved_model")
        assert first["predictions"] == second["predictions"]
        assert [p["input"] for p in first["predictions"]] == prompts


def test_greedy_continuation_follows_the_argmax(trained):
    config, result = trained
    run = Path(result["run_dir"])
    (only,) = predict(config, run, ["ben has a"], None, False, max_new_tokens=6,
                      temperature=0)["predictions"]  # fmt: skip
    model, spec = load_trained_model(config, resolve_checkpoint(run))
    ids = spec.tokenizer.encode("ben has a")
    for _ in range(only["num_tokens"]):
        scores = model(np.asarray([ids[-16:]], np.int32), training=False).numpy()
        ids.append(int(scores[0, -1].argmax()))
    assert spec.tokenizer.decode(ids) == "ben has a" + only["completion"]


def test_predicting_from_a_missing_export_is_one_line(tmp_path, trained):
    config, _ = trained
    run = tmp_path / "copy"
    run.mkdir()
    with pytest.raises(ProjectError, match="has no export yet"):
        predict(config, run, ["anna"], None, True)


def test_another_corpus_is_refused(trained, tmp_path: Path):
    config, result = trained
    text = tmp_path / "other.txt"
    text.write_text("\n\n".join(f"a quite different text, number {i}." for i in range(60)))
    other = replace(config, data=replace(config.data, source=str(text)))
    with pytest.raises(ConfigError, match="another tokenizer"):
        evaluate(other, Path(result["run_dir"]))
