"""The task's metrics are exact means over tokens; a run refuses other text than its own."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import build_loaders
from {{ cookiecutter.package_name }}.task import Task, TokenMetrics


def test_the_loss_is_the_mean_next_token_cross_entropy() -> None:
    logits, targets = torch.randn(2, 3, 7), torch.randint(7, (2, 3))
    task = Task.__new__(Task)
    expected = F.cross_entropy(logits.reshape(6, 7), targets.reshape(6))
    torch.testing.assert_close(task.loss(logits, targets), expected)


def test_the_metrics_are_exact_means_over_tokens_whatever_the_batches() -> None:
    logits, targets = torch.randn(6, 4, 9), torch.randint(9, (6, 4))
    whole, parts = TokenMetrics(torch.device("cpu")), TokenMetrics(torch.device("cpu"))
    whole.update(logits, targets)
    for cut in (slice(0, 1), slice(1, 6)):
        parts.update(logits[cut], targets[cut])
    a, b = whole.compute(), parts.compute()
    assert a["num_tokens"] == b["num_tokens"] == 24
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-6)  # float32 losses, float64 sums
    assert a["perplexity"] == pytest.approx(math.exp(a["loss"]))


def test_a_run_refuses_another_corpus(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = copy.deepcopy(trained[0]), trained[1]
    state = torch.load(run / "best.pt", weights_only=True)
    (tmp_path / "other.txt").write_text("other words.\n\nquite other words.\n" * 20)
    config.data.source = str(tmp_path / "other.txt")
    config.data.context_length = 4
    task = Task.from_loaders(build_loaders(config, torch.device("cpu")))
    with pytest.raises(ConfigError, match="another tokenizer"):
        task.check_state(state, run / "best.pt")


def test_the_summary_prints_the_unigram_baseline(trained: tuple[Config, Path]) -> None:
    config, _ = trained
    summary = Task.from_loaders(build_loaders(config, torch.device("cpu"))).summary()
    assert summary["context_length"] == 16 and summary["vocab_size"] <= 300
    assert summary["num_train_tokens"] > summary["num_val_tokens"] > 0
    assert 1 < summary["baselines"]["unigram"]["perplexity"] < summary["vocab_size"]
