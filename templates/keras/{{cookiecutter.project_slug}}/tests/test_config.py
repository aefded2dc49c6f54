import subprocess
import sys
from pathlib import Path

import keras
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError, load_config
from {{ cookiecutter.package_name }}.distributed import check_batch, resolve

DEFAULTS = Path(__file__).resolve().parents[1] / "configs" / "default.toml"


def test_default_file_matches_the_dataclasses() -> None:
    assert load_config(Config, DEFAULTS) == Config()


def test_overrides() -> None:
    cfg = load_config(
        Config,
        DEFAULTS,
        [
            "trainer.epochs=5",
            "trainer.lr=0.01",
            "trainer.jit_compile=false",
            "data.batch_size=16",
        ],
    )
    assert (cfg.trainer.epochs, cfg.trainer.lr, cfg.trainer.jit_compile) == (5, 0.01, False)
    assert cfg.data.batch_size == 16


# Each bad value of a setting every task has, and a word its one-line message must contain.
BAD_VALUES = {
    "trainer.lr=-1": "trainer.lr",
    "trainer.lr=0": "trainer.lr",
    "data.batch_size=0": "data.batch_size",
    "data.val_fraction=1.0": "data.val_fraction",
    "trainer.epochs=true": "trainer.epochs",
    "trainer.epochs=0": "trainer.epochs",
    "trainer.epochs=two": "trainer.epochs",
    "trainer.epoch=2": "unknown config key",
    "trainer.runs_dir=''": "trainer.runs_dir",
    "trainer.run_name=latest": "trainer.run_name",
    "trainer.best_metric=f1": "trainer.best_metric",
    "trainer.best_mode=lowest": "trainer.best_mode",
    "trainer.early_stopping_patience=-1": "trainer.early_stopping_patience",
    "model.dropout=1.5": "model.dropout",
    "trainer.seed=-3": "trainer.seed",
    "distribute.strategy=ddp": "distribute.strategy",
}


@pytest.mark.parametrize("override", BAD_VALUES)
def test_bad_values_are_refused(override: str) -> None:
    with pytest.raises(ConfigError, match=BAD_VALUES[override].replace(".", r"\.")):
        load_config(Config, DEFAULTS, [override])


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("override", ["trainer.lr=-1", "data.batch_size=0", "model.dropout=1.5"])
def test_a_bad_value_is_one_line_on_the_command_line(override: str, tmp_path: Path) -> None:
    done = cli("train", "--set", override, cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert BAD_VALUES[override] in line and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()  # refused before any run was made


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--resume"], "no run under"),
        (["evaluate"], "train first"),
        (["export", "--run", "nowhere"], "not a run directory"),
    ],
)
def test_missing_runs_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert message in line


def test_unsupported_strategy_is_refused() -> None:
    wrong = "mirrored" if keras.backend.backend() != "tensorflow" else "data_parallel"
    with pytest.raises(ConfigError, match="needs the"):
        resolve(wrong)


def test_batch_must_divide_across_devices() -> None:
    check_batch(64, 2, "data_parallel")
    with pytest.raises(ConfigError, match=r"data\.batch_size 63 .* 2 devices.*62 or 64"):
        check_batch(63, 2, "data_parallel")
