"""`predict` draws codes from the prior with a seed and writes what the decoder makes of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from {{ cookiecutter.package_name }} import predict as predict_module
from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict


def test_the_images_are_the_decoded_seeded_codes(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    result = predict(config, run, tmp_path / "out", 3, seed=5)
    assert result["num_images"] == 3 and result["out"] == str(tmp_path / "out")
    assert [Path(p).name for p in result["images"]] == [f"sample-{n:04d}.png" for n in range(3)]
    state = load_checkpoint(run / BEST)
    latent = state["config"]["model"]["latent_dim"]
    codes = torch.randn(3, latent, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = model_from_checkpoint(state).sampler()(codes).permute(0, 2, 3, 1).numpy()
    written = np.stack([np.asarray(Image.open(p), np.float32) / 255 for p in result["images"]])
    assert np.abs(written - expected).max() <= 0.5 / 255 + 1e-6
    again = predict(config, run, tmp_path / "again", 3, seed=5)
    for a, b in zip(result["images"], again["images"], strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes()


def test_a_folder_in_use_is_one_line_before_any_model_is_loaded(
    trained: tuple[Config, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, run = trained
    (tmp_path / "keep.txt").write_text("mine")

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(predict_module, "load_predictor", no_model)
    with pytest.raises(ConfigError, match="is not empty") as error:
        predict(config, run, tmp_path, 2)
    assert "\n" not in str(error.value)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
