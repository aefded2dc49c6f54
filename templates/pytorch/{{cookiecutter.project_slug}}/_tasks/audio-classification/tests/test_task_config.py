from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.task import Task
from {{ cookiecutter.package_name }}.task_config import METRIC_MODES

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_the_config_knows_every_metric_the_task_records() -> None:
    assert set(METRIC_MODES) == {"train_loss", *Task(["a", "b"]).metric_names}


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["data.clip_seconds=0.02"], "model.n_fft"),  # 320 samples, a window of 512
        (["data.sample_rate=8000", "model.n_fft=64"], "model.n_mels"),  # 125 Hz bins
        (["model.hop_length=8000", "model.widths=[8, 8, 8]"], "model.widths"),
    ],
)
def test_a_front_end_that_cannot_work_is_refused_as_it_loads(
    overrides: list[str], key: str
) -> None:
    with pytest.raises(ConfigError, match=key) as caught:
        load_config(Config, DEFAULT, overrides)
    assert "\n" not in str(caught.value)


def test_masks_and_front_end_overrides_are_typed() -> None:
    overrides = ["model.freq_mask=6", "model.time_mask=20", "data.sample_rate=22050"]
    best = ["trainer.best_metric=val_macro_f1", "trainer.best_mode=max"]
    config = load_config(Config, DEFAULT, [*overrides, *best])
    assert (config.model.freq_mask, config.model.time_mask) == (6, 20)
    assert config.data.sample_rate == 22050
    with pytest.raises(ConfigError, match=r"trainer\.best_mode"):
        load_config(Config, DEFAULT, ["trainer.best_metric=val_macro_f1"])
