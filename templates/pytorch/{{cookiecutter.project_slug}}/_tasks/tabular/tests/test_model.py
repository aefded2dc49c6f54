from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_table, to_tensors
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import Task


def test_raw_rows_with_missing_values_give_finite_outputs() -> None:
    config = Config()
    table = load_table(config.data, seed=0)
    model = build_model(config, table.prep).eval()
    numeric, categorical, _ = to_tensors(table.prep, table.val)
    assert torch.isnan(numeric).any()
    outputs = model(numeric, categorical)
    assert outputs.shape == (len(table.val), len(table.prep.classes))
    assert torch.isfinite(outputs).all()


def test_the_training_statistics_are_saved_with_the_weights() -> None:
    config = Config()
    prep = load_table(config.data, seed=0).prep
    state = build_model(config, prep).state_dict()
    torch.testing.assert_close(state["means"], torch.tensor(prep.means))
    torch.testing.assert_close(state["stds"], torch.tensor(prep.stds))


def test_one_step_lowers_the_loss_on_a_fixed_batch() -> None:
    torch.manual_seed(0)
    config = Config()
    config.model.dropout = 0.0  # the same forward pass before and after the step
    table = load_table(config.data, seed=0)
    task = Task(table.prep)
    model = build_model(config, table.prep).train()
    numeric, categorical, labels = (t[:64] for t in to_tensors(table.prep, table.train))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = task.loss(model(numeric, categorical), labels)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    assert task.loss(model(numeric, categorical), labels).item() < before.item()
