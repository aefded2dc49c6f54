from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import build_loaders, encode
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.tokenizer import TextTokenizer


def test_padding_does_not_change_a_texts_logits() -> None:
    torch.manual_seed(0)
    texts = ["the film was not good", "a"]
    tokenizer = TextTokenizer.train(texts * 3, vocab_size=50)
    model = build_model(Config(), tokenizer, 3).eval()
    short = encode(tokenizer, texts[:1], 64)
    padded = encode(tokenizer, texts, 64)[:1]  # the same text, padded for the shorter one... and
    longer = torch.nn.functional.pad(short, (0, 9))  # to a length nothing else needs
    with torch.no_grad():
        torch.testing.assert_close(model(longer), model(short), atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(model(padded), model(short), atol=1e-5, rtol=1e-5)


def test_one_step_lowers_the_loss_on_a_fixed_batch() -> None:
    torch.manual_seed(0)
    config = Config()
    config.model.dropout = 0.0
    loaders = build_loaders(config, torch.device("cpu"))
    task = Task.from_loaders(loaders)
    model = task.build_model(config).train()
    loaders.set_epoch(0)
    ids, labels = next(iter(loaders.train))
    assert ids.dtype == torch.int64 and ids.shape[1] <= config.data.max_length
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = task.loss(model(ids), labels)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    assert task.loss(model(ids), labels).item() < before.item()
