import csv
import itertools
import signal
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }} import train as train_module
from {{ cookiecutter.package_name }}.checkpoint import load_trained_model, resolve_checkpoint
from {{ cookiecutter.package_name }}.errors import Interrupted, ProjectError
from {{ cookiecutter.package_name }}.evaluate import evaluate
from {{ cookiecutter.package_name }}.runs import LATEST
from {{ cookiecutter.package_name }}.train import train

from .conftest import signal_at_step, small_config

{% if cookiecutter.task == "recommendation" %}
STEPS_PER_EPOCH = 7  # 253 training pairs in batches of 32
{% elif cookiecutter.task == "language-model" %}
STEPS_PER_EPOCH = 7  # 241 training windows in batches of 32
{% else %}
STEPS_PER_EPOCH = 7  # 230 training samples in batches of 32
{% endif %}


def _rows(run: Path) -> list[dict]:
    with (run / "metrics.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _weights(run: Path, config) -> list[np.ndarray]:
    model, _ = load_trained_model(config, tf.train.latest_checkpoint(str(run / "checkpoints/last")))
    return [v.numpy() for v in model.weights]


def test_train_writes_the_run(trained):
    config, result = trained
    run = Path(result["run_dir"])
    assert run.parent == config.trainer.runs_dir
    assert (config.trainer.runs_dir / LATEST).resolve() == run.resolve()
    assert result["epochs_completed"] == 1 and result["step"] == STEPS_PER_EPOCH
    assert result["num_replicas"] == 1 and result["task_index"] == 0
    assert (run / "config.toml").is_file()
    assert len(_rows(run)) == 1
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    for kind in ("last", "best"):
        assert (run / "checkpoints" / kind / f"ckpt-{STEPS_PER_EPOCH}.index").is_file()


def test_evaluate_reproduces_the_recorded_best_metric(trained):
    config, result = trained
    metrics = evaluate(config, Path(result["run_dir"]))
    assert metrics["checkpoint"].endswith(f"best/ckpt-{STEPS_PER_EPOCH}")
    best = result["best_metric"]
    assert metrics[best] == pytest.approx(result[f"best_{best}"], rel=1e-5)
    for name, value in metrics.items():
        if name.startswith("val_"):
            assert value == pytest.approx(result[name], rel=1e-5), name


def test_a_second_train_keeps_the_first_run(trained):
    config, first = trained
    second = train(config)
    assert second["run_dir"] != first["run_dir"]
    assert (Path(first["run_dir"]) / "checkpoints" / "best").is_dir()
    assert (config.trainer.runs_dir / LATEST).resolve() == Path(second["run_dir"]).resolve()


@pytest.mark.parametrize(("signum", "at_step"), [(signal.SIGTERM, 10), (signal.SIGINT, 3)])
def test_interrupted_and_resumed_equals_unbroken(tmp_path, monkeypatch, signum, at_step):
    """Stop mid-epoch by a real signal, resume, and end exactly where an unbroken run ends:
    same batches, dropout masks, optimizer moments and learning rate after the restore."""
    overrides = ("trainer.epochs=2",)
    straight = train(small_config(tmp_path / "a", *overrides, "trainer.run_name=straight"))

    config = small_config(tmp_path / "b", *overrides, "trainer.run_name=cut")
    with monkeypatch.context() as patch:
        signal_at_step(patch, at_step, signum)
        with pytest.raises(Interrupted) as stopped:
            train(config)
    assert stopped.value.exit_code == 128 + signum and "--resume" in str(stopped.value)
    run = tmp_path / "b" / "cut"
    assert (run / "checkpoints" / "last" / f"ckpt-{at_step}.index").is_file()
    resumed = train(config, resume=run)

    assert resumed["step"] == straight["step"] == 2 * STEPS_PER_EPOCH
    timing = {"samples_per_s", "epoch_time_s"}  # the one thing a resume may change
    for want, got in zip(_rows(Path(straight["run_dir"])), _rows(run), strict=True):
        assert want.keys() == got.keys()
        for field in want.keys() - timing:
            assert float(got[field]) == pytest.approx(float(want[field]), rel=1e-6, abs=1e-7)
    for want, got in zip(
        _weights(Path(straight["run_dir"]), config), _weights(run, config), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


class LostNode(Exception):
    """A death no handler sees: an out-of-memory kill, a node that drops out of the job."""


def test_step_checkpoints_keep_a_crashed_run_resumable(tmp_path, monkeypatch):
    """Every trainer.checkpoint_every_steps steps the position is saved: a run that dies in the
    middle of its second epoch resumes from the last of those and ends like an unbroken run."""
    overrides = ("trainer.epochs=2", "trainer.checkpoint_every_steps=3")
    straight = train(small_config(tmp_path / "a", *overrides, "trainer.run_name=straight"))
    config = small_config(tmp_path / "b", *overrides, "trainer.run_name=crashed")
    make_step, crash_at = train_module.make_train_step, STEPS_PER_EPOCH + 5

    def make_crashing_step(*args, **kwargs):
        train_step, calls = make_step(*args, **kwargs), itertools.count(1)

        def crashing_step(batch):
            if next(calls) == crash_at:  # 4 steps of epoch 2 done, the third one saved
                raise LostNode
            return train_step(batch)

        return crashing_step

    with monkeypatch.context() as patch:
        patch.setattr(train_module, "make_train_step", make_crashing_step)
        with pytest.raises(LostNode):
            train(config)
    run = tmp_path / "b" / "crashed"
    saved = tf.train.latest_checkpoint(str(run / "checkpoints" / "last"))
    assert saved.endswith(f"ckpt-{STEPS_PER_EPOCH + 3}")
    resumed = train(config, resume=run)
    assert resumed["step"] == straight["step"] == 2 * STEPS_PER_EPOCH
    timing = {"samples_per_s", "epoch_time_s"}
    for want, got in zip(_rows(Path(straight["run_dir"])), _rows(run), strict=True):
        for field in want.keys() - timing:
            assert float(got[field]) == pytest.approx(float(want[field]), rel=1e-6, abs=1e-7)


def test_resume_without_a_checkpoint_is_one_line(tmp_path):
    config = small_config(tmp_path, "trainer.run_name=empty")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match="no checkpoint to resume from"):
        train(config, resume=tmp_path / "empty")
    with pytest.raises(ProjectError, match="has no checkpoint yet"):
        resolve_checkpoint(tmp_path / "empty")


def test_divergence_stops_with_one_line(tmp_path):
{% if cookiecutter.task == "recommendation" %}
    # A cosine's loss is bounded: it turns NaN only once the weights overflow, which takes a rate
    # whose weight decay multiplies them by -1e26 a step.
    with pytest.raises(ProjectError, match="diverged") as caught:
        train(small_config(tmp_path, "trainer.lr=1e30"))
{% else %}
    with pytest.raises(ProjectError, match="diverged") as caught:
        train(small_config(tmp_path, "trainer.lr=1e9"))
{% endif %}
    assert "\n" not in str(caught.value)
