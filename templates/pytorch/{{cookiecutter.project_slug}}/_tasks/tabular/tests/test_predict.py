"""`predict` reads raw rows, as a user has them, and answers what the model answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

from {{ cookiecutter.package_name }}.checkpoint import BEST, load_checkpoint
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_table, to_tensors
from {{ cookiecutter.package_name }}.model import model_from_checkpoint
from {{ cookiecutter.package_name }}.predict import predict

from .sizes import prediction_inputs


def test_predictions_are_the_models_decoded_outputs(
    trained: tuple[Config, Path], tmp_path: Path
) -> None:
    config, run = trained
    [path] = prediction_inputs(config, tmp_path)
    result = predict(config, run, [path], checkpoint=None, exported=False)
    assert result["source"] == str(run / BEST)
    table = load_table(config.data, config.trainer.seed)
    numeric, categorical, _ = to_tensors(table.prep, table.val.iloc[:5])
    with torch.no_grad():
        probabilities = model_from_checkpoint(load_checkpoint(run / BEST))(
            numeric, categorical
        ).softmax(dim=1)
    for row, (prediction, p) in enumerate(zip(result["predictions"], probabilities, strict=True)):
        assert prediction["input"] == f"{path}:{row}"
        assert prediction["label"] == table.prep.classes[int(p.argmax())]
        assert prediction["probability"] == pytest.approx(float(p.max()), rel=1e-5)


def test_bad_inputs_are_one_line(trained: tuple[Config, Path], tmp_path: Path) -> None:
    config, run = trained
    path = Path(prediction_inputs(config, tmp_path)[0])
    with pytest.raises(ConfigError, match="does not exist"):
        predict(config, run, [str(tmp_path / "missing.csv")], checkpoint=None, exported=False)
    column = load_table(config.data, config.trainer.seed).prep.numeric[0]
    renamed = tmp_path / "renamed.csv"
    pd.read_parquet(path).rename(columns={column: "renamed"}).to_csv(renamed, index=False)
    with pytest.raises(ConfigError, match=f"has no column '{column}'"):
        predict(config, run, [str(renamed)], checkpoint=None, exported=False)
