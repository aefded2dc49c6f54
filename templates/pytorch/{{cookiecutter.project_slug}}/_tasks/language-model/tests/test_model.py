"""The Transformer: shapes, causality, the tied output layer, and learning."""

from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import token_losses

from .sizes import SMALL


def model_of(vocab: int = 300):
    torch.manual_seed(0)
    return build_model(load_config(Config, None, SMALL), vocab)


def test_scores_for_every_position_and_the_output_tied_to_the_embedding() -> None:
    model = model_of().eval()
    logits = model(torch.randint(300, (3, 16)))
    assert logits.shape == (3, 16, 300) and logits.dtype == torch.float32
    assert model.head.weight is model.tokens.weight
    assert model(torch.randint(300, (2, 5))).shape == (2, 5, 300)  # shorter contexts too


def test_a_position_sees_only_the_tokens_before_it() -> None:
    model = model_of().eval()
    ids = torch.randint(300, (1, 16))
    changed = ids.clone()
    changed[0, 9] = (ids[0, 9] + 1) % 300
    a, b = model(ids), model(changed)
    torch.testing.assert_close(a[0, :9], b[0, :9])  # before the change: untouched
    assert not torch.allclose(a[0, 9:], b[0, 9:])


def test_a_few_steps_learn_a_repeating_sequence() -> None:
    model = model_of(vocab=20)
    ids = torch.arange(17).remainder(5).repeat(8, 1)  # 0 1 2 3 4 0 1 ...: fully predictable
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = token_losses(model(ids[:, :-1]), ids[:, 1:]).mean().item()
    for _ in range(40):
        loss = token_losses(model(ids[:, :-1]), ids[:, 1:]).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.2 * first
