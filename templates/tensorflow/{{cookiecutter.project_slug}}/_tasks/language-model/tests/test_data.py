"""The windows as tf.data: inputs and targets shifted by one, the spec a checkpoint keeps, the
same split every time, and text too short for one window refused in one line."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.data import load_datasets
from {{ cookiecutter.package_name }}.task import spec_from_text, spec_mismatch, spec_to_text

from .conftest import small_config


def test_targets_are_the_inputs_shifted_by_one(tmp_path):
    data = load_datasets(small_config(tmp_path).data, seed=0)
    inputs, targets = (t.numpy() for t in next(iter(data.val.batch(data.num_val))))
    assert inputs.shape == targets.shape == (data.num_val, 16) and inputs.dtype == np.int32
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
    # Consecutive windows: each one's last target is the next one's first input.
    np.testing.assert_array_equal(targets[:-1, -1], inputs[1:, 0])
    assert data.steps_per_epoch == 7


def test_the_spec_round_trips_and_the_same_data_matches_it(tmp_path):
    config = small_config(tmp_path)
    data = load_datasets(config.data, seed=0)
    again = load_datasets(config.data, seed=0)
    assert spec_from_text(spec_to_text(data.spec)) == data.spec
    assert spec_mismatch(data.spec, again.spec) is None
    other = load_datasets(small_config(tmp_path, "data.context_length=8").data, seed=0)
    assert "data.context_length 16, not 8" in spec_mismatch(data.spec, other.spec)


def test_text_shorter_than_a_window_is_one_line(tmp_path):
    text = tmp_path / "short.txt"
    text.write_text("one short line\nand another\n", encoding="utf-8")
    config = small_config(tmp_path, f"data.source='{text}'", "data.context_length=64")
    with pytest.raises(ConfigError, match="fewer than data") as caught:
        load_datasets(config.data, seed=0)
    assert "\n" not in str(caught.value)
