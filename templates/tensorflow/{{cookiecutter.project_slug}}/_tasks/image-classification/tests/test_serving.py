from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict


def _png(path: Path, seed: int) -> str:
    image = np.random.default_rng(seed).integers(0, 256, (28, 28, 3), dtype=np.uint8)
    tf.io.write_file(str(path), tf.io.encode_png(image))
    return str(path)


def test_train_reports_the_classes(trained):
    _, result = trained
    assert result["class_names"] == [f"class_{i}" for i in range(10)]


def test_export_carries_the_label_map(trained):
    config, result = trained
    exported = export(config, Path(result["run_dir"]))
    assert exported["max_abs_diff"] < 1e-5 and exported["class_names_match"]
    saved_model = Path(exported["saved_model"])
    labels = (saved_model / "assets" / "labels.txt").read_text(encoding="utf-8").split()
    assert labels == result["class_names"]
    outputs = tf.saved_model.load(str(saved_model)).signatures["serving_default"](
        images=tf.zeros([3, 28, 28, 1])
    )
    assert outputs["class_name"].shape == [3] and outputs["class_id"].dtype == tf.int32


def test_predict_agrees_between_checkpoint_and_export(trained, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    export(config, run)
    files = [_png(tmp_path / f"{i}.png", i) for i in range(3)]
    from_checkpoint = predict(config, run, files, checkpoint=None, exported=False)
    from_export = predict(config, run, files, checkpoint=None, exported=True)
    assert from_checkpoint["source"].endswith("best/ckpt-7")
    assert from_export["source"].endswith("saved_model")
    for a, b in zip(from_checkpoint["predictions"], from_export["predictions"], strict=True):
        assert a["input"] == b["input"] and a["label"] == b["label"]
        assert a["label"] in result["class_names"]
        assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_predict_refuses_bad_inputs(trained, tmp_path):
    config, result = trained
    run = Path(result["run_dir"])
    with pytest.raises(ConfigError, match="no such image file"):
        predict(config, run, [str(tmp_path / "missing.png")], checkpoint=None, exported=False)
    (tmp_path / "text.png").write_text("not an image", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a PNG"):
        predict(config, run, [str(tmp_path / "text.png")], checkpoint=None, exported=False)
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ProjectError, match="export --run"):
        predict(config, bare, [_png(tmp_path / "a.png", 0)], checkpoint=None, exported=True)
