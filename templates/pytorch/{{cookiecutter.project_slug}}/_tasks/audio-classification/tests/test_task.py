"""What the loop records for the audio task, and what evaluate checks before it scores a run."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.clips import write_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.evaluate import evaluate


def test_epochs_record_accuracy_and_macro_f1_beside_the_baseline(
    trained: tuple[Config, Path],
) -> None:
    config, run = trained
    with (run / "metrics.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert header[1:5] == ["train_loss", "val_loss", "val_accuracy", "val_macro_f1"]
    result = evaluate(config, run)
    assert result["num_classes"] == 6 and result["num_samples"] == 38
    majority = result["baselines"]["majority"]
    assert 0 < majority["accuracy"] < 0.5 and majority["macro_f1"] < majority["accuracy"]


def test_evaluate_refuses_clips_of_other_classes(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    for i in range(10):
        (tmp_path / "ab"[i % 2]).mkdir(exist_ok=True)
        write_wav(tmp_path / "ab"[i % 2] / f"{i}.wav", np.zeros(4000), 8000)
    other = copy.deepcopy(config)
    other.data.source, other.data.batch_size = str(tmp_path), 4
    with pytest.raises(ConfigError, match="was trained on 6 classes"):
        evaluate(other, run)
