import csv
import shutil

import numpy as np

from {{ cookiecutter.package_name }}.evaluate import evaluate, load_trained_model
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.train import train

from .conftest import small_config


def _rows(output_dir):
    with (output_dir / "metrics.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_train_writes_the_run(trained):
    config, result = trained
    out = config.trainer.output_dir
    assert result["epochs_completed"] == 1
    assert result["num_replicas"] == 1 and result["task_index"] == 0
    assert (out / "config.toml").is_file()
    assert len(_rows(out)) == 1
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))
    assert list((out / "checkpoints" / "last").glob("ckpt-1.index"))
    assert list((out / "checkpoints" / "best").glob("ckpt-1.index"))


def test_checkpoint_round_trip(trained):
    config, result = trained
    _, path = load_trained_model(config)
    assert path.endswith("ckpt-1")
    metrics = evaluate(config)
    assert np.isclose(metrics["accuracy"], result["val_accuracy"])
    assert np.isclose(metrics["loss"], result["val_loss"], rtol=1e-4)


def test_resume_continues_the_run(trained, tmp_path):
    config, first = trained
    shutil.copytree(config.trainer.output_dir, tmp_path / "run")
    resumed = small_config(tmp_path / "run", "trainer.epochs=2")
    result = train(resumed, resume=True)
    assert result["epochs_completed"] == 2
    assert result["step"] == 2 * first["step"]
    assert [row["epoch"] for row in _rows(tmp_path / "run")] == ["1", "2"]


def test_fresh_run_replaces_old_outputs(trained, tmp_path):
    config, _ = trained
    shutil.copytree(config.trainer.output_dir, tmp_path / "run")
    train(small_config(tmp_path / "run"))
    assert len(_rows(tmp_path / "run")) == 1


def test_export_round_trip(trained):
    config, _ = trained
    result = export(config)
    assert result["max_abs_diff"] < 1e-5
