from __future__ import annotations

import math
from pathlib import Path

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.model import build_model
from {{ cookiecutter.package_name }}.task import ElboMetrics, Task, elbo_terms

from .sizes import SMALL


def test_the_kl_term_is_zero_at_the_prior_and_the_loss_weighs_it_by_beta() -> None:
    images = torch.full((2, 1, 2, 2), 0.5)
    zero = torch.zeros(2, 3)
    rec, kl = elbo_terms((torch.zeros(2, 1, 2, 2), zero, zero), images)
    assert torch.allclose(rec, torch.full((2,), 4 * math.log(2))) and torch.all(kl == 0)
    mean = torch.ones(2, 3)
    task = Task(1, 2, 3, beta=0.5)
    loss = task.loss((torch.zeros(2, 1, 2, 2), mean, zero), images)
    # KL of N(1, 1) per dimension is 1/2: three of them, weighed by 0.5.
    assert abs(loss.item() - (4 * math.log(2) + 0.75)) < 1e-5


def test_the_metrics_are_exact_means_over_images_whatever_the_batches() -> None:
    outputs = (torch.randn(6, 1, 2, 2), torch.randn(6, 3), torch.randn(6, 3))
    images = torch.rand(6, 1, 2, 2)
    whole, parts = ElboMetrics(torch.device("cpu"), 2.0), ElboMetrics(torch.device("cpu"), 2.0)
    whole.update(outputs, images)
    for cut in (slice(0, 1), slice(1, 6)):
        parts.update(tuple(t[cut] for t in outputs), images[cut])  # type: ignore[arg-type]
    a, b = whole.compute(), parts.compute()
    assert a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-5 * abs(a[k]) for k in a)
    assert abs(a["loss"] - a["reconstruction"] - 2.0 * a["kl"]) < 1e-6


def test_the_samples_decode_the_same_codes_every_time(tmp_path: Path) -> None:
    config = load_config(Config, None, SMALL)
    first, second = Task(3, 16, 0), Task(3, 16, 0)
    first.resolve(config)
    second.resolve(config)
    assert first.codes is not None and second.codes is not None
    assert torch.equal(first.codes, second.codes)
    model = build_model(config).eval()
    path = first.write_samples(model, tmp_path, 7)
    assert path == tmp_path / "samples" / "epoch-007.png" and path.is_file()
    config.model.samples_per_epoch = 0
    first.resolve(config)
    assert first.write_samples(model, tmp_path, 8) is None
