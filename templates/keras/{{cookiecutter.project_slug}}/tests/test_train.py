import csv
{% if not (cookiecutter.task == "audio-classification" and cookiecutter.backend == "torch") %}
import json
{% endif %}
import signal
from pathlib import Path

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }} import export as export_module
from {{ cookiecutter.package_name }} import train as train_module
{% if cookiecutter.backend == "tensorflow" %}
from {{ cookiecutter.package_name }}.batches import TrainBatches
{% endif %}
from {{ cookiecutter.package_name }}.checkpoint import read_state
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.errors import Interrupted, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.task import META_FILE
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory, small_config) -> tuple[Config, Path]:
    """An unbroken two-epoch run: what every resumed run must reproduce."""
    cfg = small_config(tmp_path_factory.mktemp("runs"), epochs=2, run_name="straight")
    result = train(cfg)
    assert result["epochs_completed"] == 2
    return cfg, Path(result["run_dir"])


def rows(run: Path) -> list[dict]:
    with open(run / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def assert_same_training(run: Path, reference: Path) -> None:
    got, expected = rows(run), rows(reference)
    assert [r["epoch"] for r in got] == [r["epoch"] for r in expected]
    columns = [key for key in expected[0] if key == "train_loss" or key.startswith("val_")]
    assert "val_loss" in columns
    for mine, theirs in zip(got, expected, strict=True):
        for key in columns:
            assert float(mine[key]) == pytest.approx(float(theirs[key]), rel=1e-5, abs=1e-7), key


def test_train_writes_the_run(straight: tuple[Config, Path]) -> None:
    _, run = straight
    for name in ("config.toml", META_FILE, "best.keras", "resume.npz", "metrics.csv"):
        assert (run / name).is_file(), name
    assert any((run / "tensorboard").rglob("events.out.tfevents.*"))
    assert [r["epoch"] for r in rows(run)] == ["1", "2"]
    assert {"train_loss", "val_loss", "lr", "samples_per_s"} <= set(rows(run)[0])
    assert (run.parent / "latest").resolve() == run.resolve()


def test_best_checkpoint_is_the_best_epoch(straight: tuple[Config, Path]) -> None:
    cfg, run = straight
    values = [float(r[cfg.trainer.best_metric]) for r in rows(run)]
    best = np.argmin if cfg.trainer.best_mode == "min" else np.argmax
    state = read_state(run)
    assert state.best_epoch == 1 + int(best(values))
    assert state.best_value == pytest.approx(float(values[best(values)]))


def test_evaluate_reproduces_the_recorded_metric(straight: tuple[Config, Path]) -> None:
    cfg, run = straight
    result = evaluate(cfg, run)
    recorded = result[cfg.trainer.best_metric.removeprefix("val_")]
    assert recorded == pytest.approx(result["recorded"]["value"], rel=1e-5)
{% if cookiecutter.task == "recommendation" %}
    assert result["num_samples"] == cfg.data.num_users  # every user has an item held out
{% elif cookiecutter.task == "language-model" %}
    # Every whole window of the held-out stream.
    assert result["num_samples"] == (result["num_val_tokens"] - 1) // cfg.data.context_length
{% else %}
    assert result["num_samples"] == round(256 * cfg.data.val_fraction)
{% endif %}


def test_resume_equals_an_unbroken_run(
    straight: tuple[Config, Path], small_config, tmp_path
) -> None:
    cfg = small_config(tmp_path / "runs", epochs=1, tensorboard=False)
    first = Path(train(cfg)["run_dir"])
    second = Path(train(cfg)["run_dir"])  # a second train is a new run; the first is kept
    assert first != second and (first / "best.keras").is_file()
    assert (first.parent / "latest").resolve() == second.resolve()
    cfg.trainer.epochs = 2
    result = train(cfg, resume=first)
    assert (result["epochs_completed"], result["epochs_this_run"]) == (2, 1)
    assert_same_training(first, straight[1])
    assert train(cfg, resume=first)["epochs_this_run"] == 0  # nothing left to train


def test_a_signal_stops_after_the_step_and_resume_is_exact(
    straight: tuple[Config, Path], small_config, tmp_path, monkeypatch
) -> None:
    cfg = small_config(tmp_path / "runs", epochs=2)
    built = train_module.callbacks

    class Signal(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
            if self.epoch == 1 and batch == 2:  # the third step of epoch 2
                signal.raise_signal(signal.SIGTERM)

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch

    monkeypatch.setattr(train_module, "callbacks", lambda *args: [*built(*args), Signal()])
    with pytest.raises(Interrupted, match="SIGTERM in epoch 2") as stopped:
        train(cfg)
    assert stopped.value.exit_code == 143
    run = cfg.trainer.runs_dir / "latest"
    assert [r["epoch"] for r in rows(run)] == ["1"]  # the cut-short epoch is not recorded
    monkeypatch.setattr(train_module, "callbacks", built)
    train(cfg, resume=run.resolve())
    assert_same_training(run, straight[1])


{% if cookiecutter.backend == "tensorflow" %}
def test_fit_reads_each_epochs_batches_through_tf_data() -> None:
    x = (np.arange(70, dtype="float32").reshape(70, 1) / 2, np.arange(70) % 5)  # two inputs
    batches = TrainBatches(x, np.arange(70), batch_size=32, seed=3)
    data = batches.fit_data()
    for epoch in (0, 1, 0):  # the order follows set_epoch, also back to an earlier epoch
        batches.set_epoch(epoch)
        read = list(data.as_numpy_iterator())
        assert len(read) == len(batches) == 2
        for index, ((first, second), labels) in enumerate(read):
            (want_first, want_second), want_labels = batches[index]
            np.testing.assert_array_equal(first, want_first)
            np.testing.assert_array_equal(second, want_second)
            np.testing.assert_array_equal(labels, want_labels)


def test_a_mirrored_run_trains_and_resumes(small_config, tmp_path: Path) -> None:
    cfg = small_config(tmp_path / "runs", epochs=1, tensorboard=False)
    cfg.distribute.strategy = "mirrored"
    first = train(cfg)
    assert (first["strategy"], first["epochs_completed"]) == ("mirrored", 1)
    cfg.trainer.epochs = 2
    assert train(cfg, resume=Path(first["run_dir"]))["epochs_completed"] == 2


{% endif %}
def test_resume_without_a_checkpoint_is_refused(config: Config, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match="nothing to resume"):
        train(config, resume=tmp_path / "empty")


def test_a_diverging_loss_stops_with_one_line(small_config, tmp_path: Path) -> None:
{% if cookiecutter.task == "audio-classification" %}
    # Batch normalisation keeps the loss of even a huge step finite; not that of an infinite one.
    cfg = small_config(tmp_path / "runs", lr=float("inf"), tensorboard=False)
{% elif cookiecutter.task in ("recommendation", "language-model") %}
    # Cosines and layer norms keep the loss of even a huge step finite; not that of an infinite one.
    cfg = small_config(tmp_path / "runs", lr=float("inf"), tensorboard=False)
{% else %}
    cfg = small_config(tmp_path / "runs", lr=1e9, tensorboard=False)
{% endif %}
    with pytest.raises(ProjectError, match=r"diverged; lower trainer\.lr"):
        train(cfg)


{# No ONNX export of the STFT on the PyTorch backend: test_audio_run.py checks the refusal. #}
{% if not (cookiecutter.task == "audio-classification" and cookiecutter.backend == "torch") %}
def test_export_round_trip(straight: tuple[Config, Path]) -> None:
    cfg, run = straight
    result = export(cfg, run)
    assert Path(result["path"]).exists()
    assert json.loads((run / META_FILE).read_text())  # what reading the outputs needs goes along
    assert result["max_abs_diff"] < 1e-4


{% endif %}
def test_export_without_its_packages_says_so(straight, monkeypatch) -> None:
    monkeypatch.setattr(export_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ProjectError, match=r"pip install|install TensorFlow"):
        export(*straight)
