import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.task import decode


@pytest.fixture(scope="module")
def exported(trained) -> dict:
    config, result = trained
    return export(config, Path(result["run_dir"]))


def pixels(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)) for p in sorted(folder.iterdir())]).astype(int)


def test_train_reports_the_baseline_it_must_beat(trained):
    config, result = trained
    assert result["image_shape"] == [32, 32, 3]
    assert result["num_train_images"] + result["num_val_images"] == 256
    assert result["baselines"]["mean_image"]["reconstruction"] > 0
    metrics = evaluate(config, Path(result["run_dir"]))
    assert metrics["val_loss"] == pytest.approx(result["best_val_loss"], rel=1e-5)
    total = metrics["val_reconstruction"] + config.model.beta * metrics["val_kl"]
    assert metrics["val_loss"] == pytest.approx(total, rel=1e-5)
    json.dumps(result, allow_nan=False)


def test_every_epoch_writes_a_grid_of_samples(trained):
    _, result = trained
    (grid,) = sorted((Path(result["run_dir"]) / "samples").iterdir())
    assert grid.name == "epoch-001.png"
    with Image.open(grid) as image:  # 64 samples: 8 x 8 tiles of 32 px, 2 px borders
        assert image.size == (8 * 34 + 2, 8 * 34 + 2) and image.mode == "RGB"


def test_the_export_decodes_codes_of_any_batch(trained, exported):
    assert exported["max_abs_diff"] < 1e-5 and exported["checked_shapes"] == [[8, 16], [1, 16]]
    assert exported["output"] == "images float32 [batch, 32, 32, 3], pixel values in [0, 1]"
    shape = json.loads(Path(exported["shape"]).read_text(encoding="utf-8"))
    assert shape == {"latent_dim": 16, "image_size": 32, "channels": 3}
    config, result = trained
    model, _ = load_trained_model(config, resolve_checkpoint(Path(result["run_dir"])))
    serve = tf.saved_model.load(exported["saved_model"]).signatures["serving_default"]
    codes = np.random.default_rng(9).standard_normal((5, 16)).astype(np.float32)
    images = serve(codes=tf.constant(codes))["images"].numpy()
    expected = decode(model.get_layer("decoder"), codes, 5)
    np.testing.assert_allclose(images, expected, atol=1e-5)
    assert images.min() >= 0 and images.max() <= 1


def test_predict_agrees_between_checkpoint_and_export(trained, exported, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    from_checkpoint = predict(config, run, tmp_path / "a", 6, seed=3)
    from_export = predict(config, run, tmp_path / "b", 6, seed=3, exported=True)
    assert from_export["source"].endswith("saved_model") and from_checkpoint["num_images"] == 6
    assert [Path(p).name for p in from_checkpoint["images"]] == [
        f"sample-{n:04d}.png" for n in range(6)
    ]
    # The same codes: the pixels agree to the rounding of a float32 difference near 1e-7.
    assert np.abs(pixels(tmp_path / "a") - pixels(tmp_path / "b")).max() <= 1
    predict(config, run, tmp_path / "c", 6, seed=4)
    assert not np.array_equal(pixels(tmp_path / "a"), pixels(tmp_path / "c"))


def test_predict_refuses_a_folder_that_is_not_empty(trained, tmp_path):
    config, result = trained
    (tmp_path / "mine.png").write_bytes(b"mine")
    with pytest.raises(ConfigError, match="is not empty"):
        predict(config, Path(result["run_dir"]), tmp_path, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.png"]


def test_predict_from_a_missing_export_says_how_to_make_one(trained, tmp_path):
    config, result = trained
    run = tmp_path / "run"  # the run without its export
    shutil.copytree(result["run_dir"], run, ignore=shutil.ignore_patterns("export"))
    with pytest.raises(ProjectError, match="has no export yet"):
        predict(config, run, tmp_path / "out", 2, exported=True)
    assert not (tmp_path / "out").exists()


def test_evaluate_refuses_images_of_another_shape(trained):
    _, result = trained
    other = load_config(Config, None, ["data.num_samples=256", "data.channels=1"])
    message = "3-channel 32px images, but the data now holds 1-channel"
    with pytest.raises(ConfigError, match=message):
        evaluate(other, Path(result["run_dir"]))
