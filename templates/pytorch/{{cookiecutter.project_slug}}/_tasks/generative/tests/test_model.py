from __future__ import annotations

import torch

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.model import build_model

from .sizes import SMALL


def small() -> Config:
    return load_config(Config, None, SMALL)


def test_shapes_through_the_encoder_and_decoder() -> None:
    config = small()
    model = build_model(config)
    images = torch.rand(5, 3, 16, 16)
    logits, mean, log_var = model(images)
    assert logits.shape == images.shape
    assert mean.shape == log_var.shape == (5, config.model.latent_dim)
    samples = model.sampler()(torch.randn(2, config.model.latent_dim))
    assert samples.shape == (2, 3, 16, 16) and samples.min() >= 0 and samples.max() <= 1


def test_eval_mode_decodes_the_mean_and_training_samples_around_it() -> None:
    model = build_model(small())
    images = torch.rand(4, 3, 16, 16)
    model.eval()
    with torch.no_grad():
        first, second = model(images)[0], model(images)[0]
    assert torch.equal(first, second)
    model.train()
    with torch.no_grad():
        assert not torch.equal(model(images)[0], model(images)[0])
