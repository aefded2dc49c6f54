"""What a generative run keeps besides the common files: a grid of samples after every epoch (the
same after a resume), the mean-image baseline, the export of codes to pixels, and new images
from the checkpoint and from the export."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import predict as predict_module
from {{ cookiecutter.package_name }}.checkpoint import load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.samples import SAMPLES_DIR
from {{ cookiecutter.package_name }}.task import META_FILE, new_split, score
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path, dict]:
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=2, tensorboard=False,
                       run_name="whole")  # fmt: skip
    result = train(cfg)
    return cfg, Path(result["run_dir"]), result


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image, dtype=np.int16)


def test_every_epoch_writes_a_grid_of_the_same_codes(trained) -> None:
    _, run, _ = trained
    grids = sorted((run / SAMPLES_DIR).iterdir())
    assert [p.name for p in grids] == ["epoch-001.png", "epoch-002.png"]
    first, second = (pixels(p) for p in grids)
    # 16 samples of 16 px, 8 a row, with 2 px gaps: 2 rows.
    assert first.shape == second.shape == (2 * 16 + 3 * 2, 8 * 16 + 9 * 2, 3)
    assert np.abs(first - second).max() > 10  # a second epoch changes what the codes decode to


def test_scores_are_the_elbo_terms_beside_the_mean_image_baseline(trained) -> None:
    cfg, run, result = trained
    assert json.loads((run / META_FILE).read_text()) == {
        "image_size": 16, "channels": 3, "latent_dim": 16, "beta": 1.0}  # fmt: skip
    assert (result["num_train_images"], result["num_val_images"]) == (230, 26)
    assert result["image_shape"] == [16, 16, 3]
    assert result["baselines"]["mean_image"]["reconstruction"] > 0
    split = new_split(cfg, seed=0)
    model, _ = load_checkpoint(run)
    outputs = tuple(np.float64(keras.ops.convert_to_numpy(t)) for t in model(split.x_val))
    expected = score(outputs, split.y_val, split.meta)
    evaluated = evaluate(cfg, run)
    for name in ("loss", "reconstruction", "kl"):
        assert evaluated[name] == pytest.approx(expected[name], rel=1e-5)
    assert evaluated["baselines"] == result["baselines"]


def test_export_and_sample_from_checkpoint_and_export(trained, tmp_path) -> None:
    cfg, run, _ = trained
    with pytest.raises(ProjectError, match="export` first"):
        predict(cfg, run, tmp_path / "none", 4, exported=True)
    exported = export(cfg, run)
    assert exported["max_abs_diff"] < 1e-5
    shape = json.loads(Path(exported["shape"]).read_text())
    assert shape == {"image_size": 16, "channels": 3, "latent_dim": 16}
    first, second = (predict(cfg, run, tmp_path / name, 5, seed=3, exported=e)
                     for name, e in (("checkpoint", False), ("export", True)))  # fmt: skip
    assert second["source"] == exported["path"] and first["source"].endswith("best.keras")
    assert [Path(p).name for p in first["images"]] == [f"sample-000{i}.png" for i in range(5)]
    for mine, theirs in zip(first["images"], second["images"], strict=True):
        a, b = pixels(Path(mine)), pixels(Path(theirs))
        assert a.shape == (16, 16, 3) and np.abs(a - b).max() <= 1
    other = predict(cfg, run, tmp_path / "other", 5, seed=4)
    assert any(np.abs(pixels(Path(a)) - pixels(Path(b))).max() > 1
               for a, b in zip(first["images"], other["images"], strict=True))  # fmt: skip


@pytest.mark.parametrize("exported", [False, True])
def test_a_folder_in_use_is_refused_before_any_model_loads(
    trained, tmp_path, monkeypatch, exported: bool
) -> None:
    cfg, run, _ = trained

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(predict_module, "load_predictor", no_model)
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="is not empty") as refused:
        predict(cfg, run, tmp_path, 4, exported=exported)
    assert "\n" not in str(refused.value) and (tmp_path / "mine.txt").read_text() == "keep me"


def test_a_resumed_run_draws_the_grids_of_an_unbroken_one(trained, small_config, tmp_path) -> None:
    _, whole, _ = trained
    cfg = small_config(tmp_path / "runs", epochs=1, tensorboard=False, run_name="cut")
    run = Path(train(cfg)["run_dir"])
    cfg.trainer.epochs = 2
    train(cfg, resume=run)
    for name in ("epoch-001.png", "epoch-002.png"):
        mine, theirs = pixels(run / SAMPLES_DIR / name), pixels(whole / SAMPLES_DIR / name)
        assert np.abs(mine - theirs).max() <= 1
