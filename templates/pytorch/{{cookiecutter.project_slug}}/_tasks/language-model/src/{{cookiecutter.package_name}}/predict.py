"""`predict`: a continuation of each prompt, sampled token by token from a run's checkpoint or its
exported program, with the run's own tokenizer.

Each step runs the model over the last `context_length` tokens and samples the next one from the
last position's scores: divided by the temperature (0: always the likeliest token), cut to the
`top_k` likeliest (0: all), from a generator seeded with `seed`, so the same call gives the same
text. It stops at the end-of-text token or after `max_new_tokens`. The whole window is recomputed
each step (no key-value cache): at this model's size that is a few milliseconds a token; a larger
model would cache the keys and values of the tokens it has already read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .config import Config
from .inference import load_predictor


def next_token(logits: Tensor, temperature: float, top_k: int, generator: torch.Generator) -> int:
    """One draw from the scores of the next token, float [vocab]."""
    if temperature == 0:
        return int(logits.argmax())
    logits = logits.float() / temperature
    if 0 < top_k < len(logits):
        cutoff = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < cutoff, float("-inf"))
    return int(torch.multinomial(logits.softmax(dim=0), 1, generator=generator))


def generate(
    model: Callable[[Tensor], Tensor], prompt: list[int], context_length: int, end: int,
    max_new_tokens: int, temperature: float, top_k: int, generator: torch.Generator,
) -> list[int]:  # fmt: skip
    """The ids `model` appends to `prompt` (an empty prompt starts after an end-of-text)."""
    ids, new = list(prompt) or [end], []
    for _ in range(max_new_tokens):
        window = torch.tensor([ids[-context_length:]], dtype=torch.long)
        token = next_token(model(window)[0, -1], temperature, top_k, generator)
        if token == end:
            break
        ids.append(token)
        new.append(token)
    return new


@torch.no_grad()
def predict(
    config: Config, run: Path, inputs: list[str], checkpoint: Path | None, exported: bool,
    max_new_tokens: int = 100, temperature: float = 1.0, top_k: int = 50, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    model, task, source = load_predictor(run, checkpoint, exported)
    tokenizer = task.tokenizer
    predictions = []
    for prompt in inputs:
        generator = torch.Generator().manual_seed(seed)  # per prompt: the order does not matter
        ids = tokenizer.encode(prompt)
        new = generate(model, ids, task.context_length, tokenizer.end_of_text, max_new_tokens,
                       temperature, top_k, generator)  # fmt: skip
        predictions.append({"input": prompt, "completion": tokenizer.decode(new),
                            "num_tokens": len(new)})  # fmt: skip
    return {"run_dir": str(run), "source": str(source), "predictions": predictions}
