from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import in_batch_softmax
from {{ cookiecutter.package_name }}.train import count_parameters


def test_output_shapes_and_size() -> None:
    model = build_model(Config(), num_users=1000, num_items=500).eval()
    users = torch.tensor([0, 7, 999])
    assert model(users).shape == (3, 500) and model(users).dtype == torch.float32
    assert model(users, torch.tensor([4, 4, 9])).shape == (3, 3)
    assert count_parameters(model) == (1000 + 500) * 32


def test_in_batch_logits_are_the_full_scores_of_the_batchs_items() -> None:
    torch.manual_seed(0)
    model = build_model(Config(), num_users=50, num_items=40)
    users, items = torch.tensor([3, 8, 8, 41]), torch.tensor([0, 5, 39, 5])
    torch.testing.assert_close(model(users, items), model(users)[:, items])


def test_scores_are_cosines_over_the_temperature() -> None:
    config = Config()
    config.model.temperature = 0.5
    model = build_model(config, num_users=10, num_items=10)
    with torch.no_grad():
        model.users.weight[0] = torch.ones(32) * 3.0  # the length of a vector does not count
        model.items.weight[2] = torch.ones(32) * 0.1
        model.items.weight[3] = -torch.ones(32)
    scores = model(torch.tensor([0]))[0]
    assert scores.abs().max() <= 1 / 0.5 + 1e-6
    assert abs(scores[2].item() - 2.0) < 1e-5 and abs(scores[3].item() + 2.0) < 1e-5


def test_the_towers_stay_float32_under_autocast() -> None:
    model = build_model(Config(), num_users=30, num_items=20)
    users = torch.arange(30)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        scores = model(users)
    assert scores.dtype == torch.float32
    torch.testing.assert_close(scores, model(users))


def test_one_step_lowers_the_loss_on_a_fixed_batch() -> None:
    torch.manual_seed(0)
    model = build_model(Config(), num_users=100, num_items=60).train()
    users, items = torch.randint(0, 100, (64,)), torch.randint(0, 60, (64,))
    log_q = torch.full((60,), -torch.log(torch.tensor(60.0)).item())
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.05)
    before = in_batch_softmax(model(users, items), items, log_q)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    assert in_batch_softmax(model(users, items), items, log_q).item() < before.item()
