"""Continuing a prompt, framework-free: the model is any function from int64 ids `[1, length]` to
next-token scores `[1, length, vocab]` (a checkpoint's model or its export), called once a token on
the last `context_length` ids. A draw divides the last position's scores by the temperature (0:
always the likeliest token), keeps the `top_k` likeliest (0: all) and samples from a NumPy
generator seeded per prompt, so the same call writes the same text. Generation stops at the
end-of-text token or after `max_new_tokens`. The whole window is recomputed each step (no
key-value cache): at this model's size that is milliseconds a token; a larger model would cache
the keys and values of what it has read."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Scorer = Callable[[np.ndarray], np.ndarray]


def next_token(scores: np.ndarray, temperature: float, top_k: int, rng: np.random.Generator) -> int:
    """One draw from the scores of the next token, [vocab]."""
    if temperature == 0:
        return int(np.argmax(scores))
    with np.errstate(over="ignore"):
        logits = np.asarray(scores, np.float64) / temperature
    if not np.isfinite(logits.max()):  # so small a temperature overflows: it is greedy
        return int(np.argmax(scores))
    if 0 < top_k < len(logits):
        cutoff = np.sort(logits)[-top_k]
        logits = np.where(logits < cutoff, -np.inf, logits)
    probabilities = np.exp(logits - logits.max())
    return int(rng.choice(len(logits), p=probabilities / probabilities.sum()))


def generate(
    model: Scorer, prompt: list[int], context_length: int, end: int, max_new_tokens: int,
    temperature: float, top_k: int, seed: int,
) -> list[int]:  # fmt: skip
    """The ids `model` appends to `prompt` (an empty prompt starts after an end-of-text)."""
    rng = np.random.default_rng(seed)
    ids, new = list(prompt) or [end], []
    for _ in range(max_new_tokens):
        # Padded on the right to the whole context, so every call has one shape (one compiled
        # graph): under causal attention what follows the last real token changes nothing before.
        window = np.full((1, context_length), end, dtype=np.int64)
        last = ids[-context_length:]
        window[0, : len(last)] = last
        token = next_token(np.asarray(model(window))[0, len(last) - 1], temperature, top_k, rng)
        if token == end:
            break
        ids.append(token)
        new.append(token)
    return new
