"""Continuing a prompt: greedy decoding follows the argmax, sampling is seeded and cut to the top
k, the window keeps one shape, and generation stops at the end-of-text token or the limit."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.package_name }}.sampling import generate, next_token

VOCAB, END = 10, 3


def always(token: int, seen: list | None = None):
    """A model that always scores `token` highest, recording the windows it is given."""

    def model(window: np.ndarray) -> np.ndarray:
        if seen is not None:
            seen.append(window.copy())
        scores = np.full((1, window.shape[1], VOCAB), -10.0)
        scores[..., token] = 10.0
        return scores

    return model


def test_top_k_draws_only_from_the_likeliest() -> None:
    logits = np.array([0.0, 5.0, 4.0, -1.0, 3.0])
    rng = np.random.default_rng(0)
    assert {next_token(logits, 10.0, 2, rng) for _ in range(200)} == {1, 2}
    assert next_token(logits, 0, 0, rng) == 1  # temperature 0: the likeliest
    # A temperature so near 0 that the scaled scores overflow is greedy too, not a NaN draw.
    assert next_token(logits, 1e-308, 0, rng) == 1 and next_token(-logits, 1e-308, 0, rng) == 3


def test_the_same_seed_draws_the_same_tokens() -> None:
    def noisy(window: np.ndarray) -> np.ndarray:
        return np.random.default_rng(int(window.sum())).normal(size=(1, window.shape[1], VOCAB))

    first = generate(noisy, [1, 2], 4, END, 12, 1.0, 0, seed=5)
    assert first == generate(noisy, [1, 2], 4, END, 12, 1.0, 0, seed=5)
    assert first != generate(noisy, [1, 2], 4, END, 12, 1.0, 0, seed=6)


def test_generation_stops_at_the_end_of_text_or_the_limit() -> None:
    assert generate(always(END), [1, 2], 4, END, 50, 0.0, 0, seed=0) == []
    assert generate(always(7), [], 4, END, 5, 0.0, 0, seed=0) == [7] * 5


def test_every_window_has_the_context_length_and_the_prompt_first() -> None:
    seen: list = []
    generate(always(7, seen), [1, 2], 4, END, 4, 0.0, 0, 0)
    assert {w.shape for w in seen} == {(1, 4)}
    np.testing.assert_array_equal(seen[0][0, :2], [1, 2])  # padded after the prompt
    np.testing.assert_array_equal(seen[-1][0], [2, 7, 7, 7])  # the last context_length ids
