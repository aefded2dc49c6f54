"""The windows a model trains on: targets are the inputs shifted by one, the tokenizer is the
same in every process, and the held-out windows come from documents training never reads."""

from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import build_loaders, load_texts


def test_targets_are_the_inputs_shifted_by_one(config: Config) -> None:
    loaders = build_loaders(config, torch.device("cpu"))
    inputs, targets = loaders.train.tensors
    assert inputs.shape[1] == targets.shape[1] == 16 and inputs.dtype == torch.int64
    torch.testing.assert_close(inputs[:, 1:], targets[:, :-1])
    torch.testing.assert_close(inputs[1:, 0], targets[:-1, -1])  # consecutive windows
    batch = next(iter(loaders.train))
    assert batch[0].shape == (16, 16)


def test_the_same_tokenizer_and_windows_in_every_process(config: Config) -> None:
    a, b = (build_loaders(config, torch.device("cpu")) for _ in range(2))
    assert a.tokenizer.to_str() == b.tokenizer.to_str()
    torch.testing.assert_close(a.val.tensors[0], b.val.tensors[0])


def test_held_out_text_is_whole_documents_training_never_reads(config: Config) -> None:
    docs = load_texts(config.data, config.trainer.seed)
    assert len(docs.val) == 8 and len(docs.train) == 72
    loaders = build_loaders(config, torch.device("cpu"))
    assert len(loaders.val_stream) == sum(len(loaders.tokenizer.encode(d)) + 1 for d in docs.val)
