"""`predict` continues prompts with the run's model: greedy decoding is its argmax chain, and a
sampled continuation is the same for the same seed (`test_sampling.py` tests the draws)."""

from __future__ import annotations

from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import Task


def test_greedy_decoding_follows_the_argmax(trained: tuple[Config, Path]) -> None:
    config, run = trained
    result = predict(config, run, ["anna lives"], None, False, max_new_tokens=6, temperature=0)
    (only,) = result["predictions"]
    state = load_checkpoint(run / BEST)
    model, task = model_from_checkpoint(state), Task.from_state(state)
    ids = task.tokenizer.encode("anna lives")
    with torch.no_grad():
        for _ in range(only["num_tokens"]):
            ids.append(int(model(torch.tensor([ids[-16:]]))[0, -1].argmax()))
    assert task.tokenizer.decode(ids) == "anna lives" + only["completion"]
    assert only["input"] == "anna lives" and 1 <= only["num_tokens"] <= 6


def test_sampling_is_seeded_and_varies_with_the_seed(trained: tuple[Config, Path]) -> None:
    config, run = trained

    def draw(seed: int) -> list[dict]:
        return predict(config, run, ["the", "ben"], None, False, max_new_tokens=20,
                       temperature=1.5, top_k=0, seed=seed)["predictions"]  # fmt: skip

    assert draw(1) == draw(1)
    assert [p["completion"] for p in draw(1)] != [p["completion"] for p in draw(2)]
