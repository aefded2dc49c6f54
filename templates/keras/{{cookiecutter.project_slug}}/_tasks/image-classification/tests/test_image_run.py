"""What an image run keeps besides the common files: its class names, and predictions."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.predict import predict
from {{ cookiecutter.package_name }}.train import train


def test_folder_class_names_go_with_the_model_and_its_export(small_config, tmp_path) -> None:
    rng = np.random.default_rng(0)
    for label, name in enumerate(("cat", "dog")):
        (tmp_path / "images" / name).mkdir(parents=True)
        for i in range(10):
            pixels = np.full((16, 16, 3), 60 + 120 * label, np.uint8)
            noisy = pixels + rng.integers(0, 40, size=pixels.shape, dtype=np.uint8)
            Image.fromarray(noisy).save(tmp_path / "images" / name / f"{i}.png")
    cfg = small_config(tmp_path / "runs", tensorboard=False)
    cfg.data.source = str(tmp_path / "images")
    cfg.data.batch_size = 4
    result = train(cfg)
    run = Path(result["run_dir"])
    assert result["num_classes"] == 2
    assert json.loads((run / "classes.json").read_text()) == ["cat", "dog"]
    exported = export(cfg, run)
    assert json.loads(Path(exported["labels"]).read_text()) == ["cat", "dog"]
    image = str(tmp_path / "images" / "dog" / "0.png")
    from_checkpoint, from_export = (predict(cfg, run, [image], None, e) for e in (False, True))
    (first,), (second,) = from_checkpoint["predictions"], from_export["predictions"]
    assert first["input"] == image and first["label"] in ("cat", "dog")
    assert second["label"] == first["label"]
    assert second["probability"] == pytest.approx(first["probability"], abs=1e-4)


def test_predict_refuses_a_file_that_is_not_an_image(small_config, tmp_path) -> None:
    cfg = small_config(tmp_path / "runs", tensorboard=False)
    run = Path(train(cfg)["run_dir"])
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ProjectError, match="not a readable image"):
        predict(cfg, run, [str(tmp_path / "notes.png")], None, False)
    with pytest.raises(ProjectError, match="no image at"):
        predict(cfg, run, [str(tmp_path / "missing.png")], None, False)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "black.png")
    with pytest.raises(ProjectError, match="export` first"):
        predict(cfg, run, [str(tmp_path / "black.png")], None, True)
