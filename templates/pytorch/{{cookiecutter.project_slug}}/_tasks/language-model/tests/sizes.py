"""The language model's settings for fast tests: a few dozen stories and a one-block model."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Config

# A run of a second or two on the CPU (`--set` values): 229 training windows of 16 tokens in 14
# batches of 16, a tokenizer of 300 tokens.
SMALL = [
    "data.num_documents=80",
    "data.context_length=16",
    "data.batch_size=16",
    "data.vocab_size=300",
    "model.dim=32",
    "model.heads=2",
    "model.layers=1",
    "model.ff_dim=64",
]
# Three epochs of four steps, what the resume tests stop and continue: 299 training windows of 8
# tokens in batches of 70. Dropout on, so that its generator's state is part of what resumes.
TINY = [
    "data.num_documents=40",
    "data.context_length=8",
    "data.batch_size=70",
    "data.vocab_size=280",
    "model.dim=16",
    "model.heads=2",
    "model.layers=1",
    "model.ff_dim=32",
    "model.dropout=0.1",
]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.num_documents=1", "data.num_documents"),
    ("data.vocab_size=100", "data.vocab_size"),
    ("data.context_length=1", "data.context_length"),
    ("data.batch_size=0", "data.batch_size"),
    ("data.source=''", "data.source"),
    ("model.heads=3", "model.heads"),
    ("model.dropout=1", "model.dropout"),
    ("model.lora_rank=-1", "model.lora_rank"),
    ("model.lora_alpha=0", "model.lora_alpha"),
    ("trainer.best_mode=max", "trainer.best_mode"),
]


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """Prompts as `predict` takes them: words of the stories, a word it has not seen, nothing."""
    return ["anna lives near", "the dog eats", "zebra", ""]
