from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config, save_config
from {{ cookiecutter.package_name }}.config_io import ConfigError

{% if cookiecutter.task in ("generative", "language-model") %}
from .cases import BAD_VALUES
{% else %}
from .cases import BAD_VALUES, MAXIMISED_METRIC
{% endif %}

DEFAULT_TOML = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_default_toml_matches_the_dataclass_defaults():
    assert load_config(Config, DEFAULT_TOML) == Config()


def test_overrides_are_typed():
    config = load_config(
        Config,
        DEFAULT_TOML,
        [
            "trainer.epochs=5",
            "trainer.lr=1",
            "trainer.jit_compile=true",
        ],
    )
    assert config.trainer.epochs == 5
    assert config.trainer.lr == 1.0
    assert config.trainer.jit_compile is True
    assert isinstance(config.trainer.runs_dir, Path)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("trainer.epochz=1", "epochz"),
        ("trainer.epochs=many", "trainer.epochs"),
        ("trainer.epochs=true", "trainer.epochs"),
        ("trainer.epochs=0", "trainer.epochs"),
        ("trainer.lr=-1", "trainer.lr"),
        ("trainer.lr=nan", "trainer.lr"),
        ("trainer.keep_last=0", "trainer.keep_last"),
        ("trainer.runs_dir=''", "trainer.runs_dir"),
        ("trainer.run_name='../x'", "trainer.run_name"),
        ("trainer.best_metric=accuracy", "trainer.best_metric"),
        ("trainer.mixed_precision=fp8", "trainer.mixed_precision"),
        ("data.batch_size=0", "data.batch_size"),
        ("data.val_fraction=1.0", "data.val_fraction"),
        ("data.val_fraction=0", "data.val_fraction"),
        ("data.source=''", "data.source"),
{% if cookiecutter.task == "recommendation" %}
        ("model.temperature=0", "model.temperature"),
{% elif cookiecutter.task == "generative" %}
        ("model.beta=-1", "model.beta"),
{% else %}
        ("model.dropout=1.5", "model.dropout"),
{% endif %}
        ("distribute.strategy=tpu", "distribute.strategy"),
        ("export.check_batch=0", "export.check_batch"),
        *BAD_VALUES,
    ],
)
def test_bad_values_are_refused_in_one_line_naming_the_key(override, key):
    with pytest.raises(ConfigError) as caught:
        load_config(Config, None, [override])
    message = str(caught.value)
    assert key in message and "\n" not in message


{% if cookiecutter.task == "generative" %}
def test_best_mode_must_suit_the_metric():
    # Every metric here is a loss: keeping the highest would keep the worst checkpoint.
    with pytest.raises(ConfigError, match="best_mode = 'min'"):
        load_config(Config, None, ["trainer.best_metric=val_kl", "trainer.best_mode=max"])
    config = load_config(Config, None, ["trainer.best_metric=val_kl"])
    assert config.trainer.best_metric == "val_kl"
{% elif cookiecutter.task == "language-model" %}
def test_best_mode_must_suit_the_metric():
    # The loss and the perplexity both fall as the model improves.
    with pytest.raises(ConfigError, match="best_mode = 'min'"):
        load_config(Config, None, ["trainer.best_metric=val_perplexity", "trainer.best_mode=max"])
    config = load_config(Config, None, ["trainer.best_metric=val_perplexity"])
    assert config.trainer.best_metric == "val_perplexity"
{% else %}
def test_best_mode_must_suit_the_metric():
    # A metric that improves the other way from the default best metric.
    default = Config().trainer.best_mode
    metric, mode = (MAXIMISED_METRIC, "max") if default == "min" else ("val_loss", "min")
    chosen = f"trainer.best_metric={metric}"
    with pytest.raises(ConfigError, match=f"best_mode = '{mode}'"):
        load_config(Config, None, [chosen])
    config = load_config(Config, None, [chosen, f"trainer.best_mode={mode}"])
    assert config.trainer.best_mode == mode
{% endif %}


def test_saved_config_loads_back(tmp_path):
    config = load_config(Config, None, ["data.source=data/train", "trainer.epochs=7"])
    save_config(config, tmp_path / "config.toml")
    assert load_config(Config, tmp_path / "config.toml") == config
