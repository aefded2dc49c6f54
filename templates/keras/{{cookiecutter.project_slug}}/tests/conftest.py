from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config


def _small_config(runs_dir: Path, **trainer) -> Config:
    """A configuration small enough for a CPU test: 256 samples, one epoch."""
    cfg = Config()
{% if cookiecutter.task == "recommendation" %}
    # 211 training pairs of 40 users and 30 items, in 13 batches of 16.
    cfg.data.num_users, cfg.data.num_items = 40, 30
    cfg.data.batch_size = 16
{% elif cookiecutter.task == "language-model" %}
    # 229 training windows of 16 tokens in 14 batches of 16; a one-block model.
    cfg.data.num_documents, cfg.data.context_length = 80, 16
    cfg.data.vocab_size, cfg.data.batch_size = 300, 16
    cfg.model.dim, cfg.model.heads, cfg.model.layers, cfg.model.ff_dim = 32, 2, 1, 64
    cfg.model.dropout = 0.1  # so that its generators' state is part of what resumes
{% else %}
    cfg.data.num_samples = 256
    cfg.data.batch_size = 32
{% endif %}
{% if cookiecutter.task == "generative" %}
    cfg.data.image_size = 16  # 16x16 pictures, two blocks down to 4x4
    cfg.model.samples_per_epoch = 16
{% endif %}
{% if cookiecutter.task == "audio-classification" %}
    cfg.data.sample_rate, cfg.data.clip_seconds = 8000, 0.5  # 4,000 samples a clip
{% endif %}
    cfg.trainer.epochs = 1
    cfg.trainer.runs_dir = Path(runs_dir)
    cfg.trainer.mixed_precision = "off"
    cfg.trainer.tensorboard = True
    for key, value in trainer.items():
        setattr(cfg.trainer, key, value)
    return cfg


@pytest.fixture(scope="session")
def small_config() -> Callable[..., Config]:
    return _small_config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return _small_config(tmp_path / "runs")
