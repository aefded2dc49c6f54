import json

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_split
from {{ cookiecutter.package_name }}.task import read_meta, run_split, write_meta
from {{ cookiecutter.package_name }}.tokenizer import PAD_ID


def test_split_sizes_and_ids(config: Config) -> None:
    split = load_split(config.data, seed=0)
    assert len(split.y_val) == round(256 * config.data.val_fraction) == len(split.val_texts)
    assert len(split.y_train) + len(split.y_val) == 256
    assert split.x_train.dtype == np.int32 and split.y_train.dtype == np.int32
    assert split.x_train.shape[1] <= config.data.max_length
    assert (split.x_train == PAD_ID).any() and split.x_train.min() >= 0
    assert split.meta.classes == ["negative", "positive"]


def test_texts_are_cut_to_max_length(config: Config) -> None:
    config.data.max_length = 3
    split = load_split(config.data, seed=0)
    assert split.x_train.shape[1] == 3 and split.x_val.shape[1] == 3


def test_the_tokenizer_is_trained_on_the_training_texts_only(config: Config, tmp_path) -> None:
    rows = [f"word{i:03d}x common,{'ab'[i % 2]}" for i in range(40)]  # one unique word per text
    (tmp_path / "t.csv").write_text("text,label\n" + "\n".join(rows) + "\n")
    config.data.source, config.data.val_fraction = str(tmp_path / "t.csv"), 0.25
    split = load_split(config.data, seed=0)
    vocabulary = json.loads(split.meta.tokenizer_json)["model"]["vocab"]
    held_out = {text.split()[0] for text in split.val_texts}
    assert len(held_out) == 10 and not held_out & vocabulary.keys()
    assert "common" in vocabulary


def test_a_run_reads_its_data_with_its_own_tokenizer(config: Config, tmp_path) -> None:
    split = load_split(config.data, seed=0)
    write_meta(tmp_path, split.meta)
    again = run_split(config.data, 0, read_meta(tmp_path))
    assert again.meta == split.meta
    np.testing.assert_array_equal(again.x_val, split.x_val)
    config.data.num_samples = 300  # other texts than the run's
    with pytest.raises(ConfigError, match="trained with"):
        run_split(config.data, 0, read_meta(tmp_path))


def test_a_csv_without_the_text_column_names_the_setting(config: Config, tmp_path) -> None:
    (tmp_path / "t.csv").write_text("body,label\nhello,a\nbye,b\n")
    config.data.source = str(tmp_path / "t.csv")
    with pytest.raises(ConfigError, match=r"data\.text_column"):
        load_split(config.data, seed=0)


@pytest.mark.parametrize(
    "override, message",
    [
        ("model.heads=3", "model.heads"),
        ("model.dim=0", "model.dim"),
        ("model.dropout=1.0", "model.dropout"),
        ("data.vocab_size=5", "data.vocab_size"),
        ("data.max_length=0", "data.max_length"),
        ("data.text_column=", "data.text_column"),
        ("trainer.best_metric=val_auc", "trainer.best_metric"),
    ],
)
def test_bad_text_settings_are_refused(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config(Config, None, [override])
