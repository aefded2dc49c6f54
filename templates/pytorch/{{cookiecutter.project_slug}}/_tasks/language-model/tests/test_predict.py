"""`predict` continues prompts: greedy decoding is the model's argmax chain, sampling is seeded,
cut to the top k, and stops at the end-of-text token or the length limit."""

from __future__ import annotations

from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import generate, next_token, predict
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


def test_top_k_draws_only_from_the_likeliest() -> None:
    logits = torch.tensor([0.0, 5.0, 4.0, -1.0, 3.0])
    generator = torch.Generator().manual_seed(0)
    drawn = {next_token(logits, 10.0, 2, generator) for _ in range(200)}
    assert drawn == {1, 2}
    assert next_token(logits, 0, 0, generator) == 1


def test_generation_stops_at_the_end_of_text_or_the_limit() -> None:
    vocab, end = 10, 3

    def always(token: int):
        def model(ids: torch.Tensor) -> torch.Tensor:
            scores = torch.full((1, ids.shape[1], vocab), -10.0)
            scores[..., token] = 10.0
            return scores

        return model

    generator = torch.Generator().manual_seed(0)
    assert generate(always(end), [1, 2], 4, end, 50, 0.0, 0, generator) == []
    assert generate(always(7), [], 4, end, 5, 0.0, 0, generator) == [7] * 5
