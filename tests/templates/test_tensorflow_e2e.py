"""End to end: generate the TensorFlow project, install it from its printed steps into a venv that sees
only what it declares, and use it as a user would: train, evaluate, export, interrupt and resume, and
train on two workers."""

from __future__ import annotations

import csv
import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests
from installs import SharedInstalls, task_install

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]
INSTALL = task_install("tensorflow")
INSTALLS = (INSTALL,)

PACKAGE = "image_classifier"
COMMAND = "image-classifier"
TIMEOUT = 600
SMALL = ("data.num_samples=512", "trainer.epochs=2")  # 7 steps per epoch


def sets(*overrides: str) -> list[str]:
    return [arg for item in overrides for arg in ("--set", item)]


def rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def curves(run: Path) -> list[float]:
    """What must not change when a run is interrupted and resumed, epoch by epoch: everything
    metrics.csv records but its timing (every task's columns)."""
    timing = ("samples_per_s", "epoch_time_s")
    return [float(v) for row in rows(run) for k, v in row.items() if k not in timing]


def last_json(stdout: str) -> dict:
    return json.loads(stdout[stdout.rfind("\n{") + 1 :] if "\n{" in stdout else stdout)


def assert_one_line(stderr: str, *expected: str) -> str:
    """The command ended with one line of its own (after any progress log lines), no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    own = [line for line in lines if line.startswith(f"{COMMAND}: ")]
    assert own == lines[-1:], stderr
    assert "Traceback" not in stderr, stderr
    for text in expected:
        assert text in own[0], stderr
    return own[0]


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    """The image project, installed once for the session from its printed steps: the Slurm
    launcher tests, which run first, submit their jobs in the same install."""
    return shared_installs.get(*INSTALL)


@pytest.fixture(scope="module")
def seeded(env: ProjectEnv) -> dict:
    """A seeded run with its own name, so that later runs cannot be mistaken for it."""
    overrides = (*SMALL, "trainer.seed=1", "trainer.run_name=seeded")
    return env.run_json(COMMAND, "train", *sets(*overrides), timeout=TIMEOUT)


def test_help_does_not_import_tensorflow(env: ProjectEnv) -> None:
    code = (
        f"import sys; from {PACKAGE}.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported by --help'"
    )
    env.run("python", "-c", code)


def test_train_writes_its_own_run(env: ProjectEnv, seeded: dict) -> None:
    run = env.root / seeded["run_dir"]
    assert run == env.root / "runs" / "seeded"
    assert seeded["epochs_completed"] == 2 and seeded["step"] == 14
    assert seeded["val_accuracy"] > 0.2, seeded  # chance is 0.1
    assert seeded["class_names"] == [f"class_{i}" for i in range(10)]
    assert (run / "config.toml").is_file() and len(rows(run)) == 2
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert (run / "checkpoints" / "last" / "ckpt-14.index").is_file()


def test_evaluate_reproduces_the_recorded_best_of_a_seeded_run(
    env: ProjectEnv, seeded: dict
) -> None:
    # The run's own config.toml gives the seed, so its held-out split: nothing to repeat here.
    result = env.run_json(COMMAND, "evaluate", "--run", seeded["run_dir"], timeout=TIMEOUT)
    best = rows(env.root / seeded["run_dir"])[seeded["best_epoch"] - 1]
    assert result["num_samples"] == 51
    assert result["val_loss"] == pytest.approx(float(best["val_loss"]), rel=1e-5)
    assert result["val_accuracy"] == pytest.approx(float(best["val_accuracy"]))
    assert result["val_loss"] == pytest.approx(seeded["best_val_loss"], rel=1e-5)


def test_export_reloads_in_a_fresh_process(env: ProjectEnv, seeded: dict) -> None:
    run = seeded["run_dir"]
    result = env.run_json(
        COMMAND, "export", "--run", run, *sets("export.tflite=true"), timeout=TIMEOUT
    )
    assert result["max_abs_diff"] < 1e-5 and result["class_names_match"]
    assert result["tflite_max_abs_diff"] < 1e-4
    saved_model = env.root / result["saved_model"]
    assert saved_model.parent == env.root / run / "export"
    assert (saved_model / "assets" / "labels.txt").read_text().split() == seeded["class_names"]
    # A new interpreter loads the SavedModel and the checkpoint, and compares them on a batch
    # size the export never saw (the signature's batch dimension is dynamic).
    check = f"""
import json
import numpy as np
import tensorflow as tf
from {PACKAGE}.checkpoint import load_trained_model, resolve_checkpoint
from {PACKAGE}.config import Config, load_config
from pathlib import Path

run = Path("{run}")
config = load_config(Config, run / "config.toml")
model, names = load_trained_model(config, resolve_checkpoint(run))
images = np.random.default_rng(7).uniform(0, 1, (5, 28, 28, 1)).astype(np.float32)
outputs = tf.saved_model.load("{saved_model}").signatures["serving_default"](images=images)
diff = np.abs(outputs["logits"].numpy() - model(images, training=False).numpy()).max()
named = [names[i] for i in outputs["class_id"].numpy()]
print(json.dumps({{"max_abs_diff": float(diff), "shape": outputs["probabilities"].shape.as_list(),
                  "names_agree": named == [n.decode() for n in outputs["class_name"].numpy()]}}))
"""
    reloaded = env.run_json("python", "-c", check, timeout=TIMEOUT)
    assert reloaded["max_abs_diff"] < 1e-5
    assert reloaded["shape"] == [5, 10] and reloaded["names_agree"]


def test_a_second_train_keeps_the_first_run(env: ProjectEnv, seeded: dict) -> None:
    second = env.run_json(COMMAND, "train", *sets(*SMALL), timeout=TIMEOUT)
    assert second["run_dir"] != seeded["run_dir"]
    assert len(rows(env.root / seeded["run_dir"])) == 2
    assert (env.root / seeded["run_dir"] / "checkpoints" / "best").is_dir()
    # With no --run, evaluate takes the latest run, with that run's own config.
    latest = env.run_json(COMMAND, "evaluate", timeout=TIMEOUT)
    assert Path(latest["run_dir"]).resolve() == (env.root / second["run_dir"]).resolve()


@pytest.mark.parametrize(
    ("override", "code", "message"),
    [
        ("trainer.lr=-1", 2, "trainer.lr must be > 0"),
        ("data.source=photos/train", 2, "data.source 'photos/train': no such file or folder"),
        ("trainer.lr=1e9", 1, "diverged"),
    ],
)
def test_a_bad_value_is_one_line(env: ProjectEnv, override: str, code: int, message: str) -> None:
    result = env.run(COMMAND, "train", *sets(*SMALL, override), check=False, timeout=TIMEOUT)
    assert result.returncode == code, result.stderr
    assert_one_line(result.stderr, message)


def start(
    env: ProjectEnv, *args: str, extra_env: dict | None = None, command: str = COMMAND
) -> subprocess.Popen:
    return subprocess.Popen(
        [str(env.bin / command), *args],
        cwd=env.root,
        env=env.env(extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def wait_for_training(process: subprocess.Popen, delay: float) -> str:
    """Read stderr until the loop has started, wait `delay` more seconds; the lines read so far."""
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "replica(s)" in line:
            break
    time.sleep(delay)
    return "".join(seen)


@pytest.fixture(scope="module")
def unbroken(env: ProjectEnv) -> Path:
    result = env.run_json(
        COMMAND, "train", *sets("trainer.epochs=2", "trainer.run_name=unbroken"), timeout=TIMEOUT
    )
    return env.root / result["run_dir"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_then_resume_equals_the_unbroken_run(
    env: ProjectEnv, unbroken: Path, signum: int
) -> None:
    name = f"cut-{signum}"
    process = start(env, "train", *sets("trainer.epochs=2", f"trainer.run_name={name}"))
    head = wait_for_training(process, delay=0.8)
    process.send_signal(signum)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 128 + signum, head + err
    # The log lines so far, then the one line that says why it stopped and how to go on.
    line = assert_one_line(head + err, f"stopped by {signal.Signals(signum).name}", "--resume")
    print(line)  # where it stopped: mid-epoch ("at epoch 1 step 9/28") or "after epoch 1"
    assert out == ""
    run = env.root / "runs" / name
    resumed = env.run_json(COMMAND, "train", "--resume", str(run), timeout=TIMEOUT)
    assert resumed["epochs_completed"] == 2
    assert curves(run) == pytest.approx(curves(unbroken), rel=1e-6)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def start_workers(env: ProjectEnv, *args: str, command: str = COMMAND) -> list[subprocess.Popen]:
    cluster = {"worker": [f"localhost:{_free_port()}", f"localhost:{_free_port()}"]}
    configs = [{"cluster": cluster, "task": {"type": "worker", "index": i}} for i in range(2)]
    return [
        start(env, *args, extra_env={"TF_CONFIG": json.dumps(c)}, command=command) for c in configs
    ]


def finish(workers: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    try:
        outputs = [worker.communicate(timeout=TIMEOUT) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    return [(w.returncode, out, err) for w, (out, err) in zip(workers, outputs, strict=True)]


def sigint_then_resume(
    env: ProjectEnv, command: str, overrides: tuple[str, ...], delay: float, epochs: int = 2
) -> tuple[Path, Path]:
    """An unbroken run, and the same run stopped by SIGINT once training has started (plus
    `delay` seconds) then resumed to its end: both run directories, for the caller to compare."""
    unbroken = env.run_json(
        command, "train", *sets(*overrides, "trainer.run_name=unbroken"), timeout=TIMEOUT
    )
    process = start(env, "train", *sets(*overrides, "trainer.run_name=cut"), command=command)
    head = wait_for_training(process, delay=delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 130, head + err
    assert "stopped by SIGINT" in err.splitlines()[-1] and out == ""
    run = env.root / "runs" / "cut"
    resumed = env.run_json(command, "train", "--resume", str(run), timeout=TIMEOUT)
    assert resumed["epochs_completed"] == epochs
    return run, env.root / unbroken["run_dir"]


def two_workers(
    env: ProjectEnv, command: str, overrides: tuple[str, ...], agreed: tuple[str, ...]
) -> list[dict]:
    """Both workers' results of one MultiWorkerMirroredStrategy run, which must agree on the
    metrics `agreed` (each worker scored half of every held-out batch and gathered the rest)."""
    workers = start_workers(env, "train", *sets(*overrides), command=command)
    results = []
    for code, out, err in finish(workers):
        assert code == 0, f"worker exited {code}\n{out[-3000:]}{err[-3000:]}"
        results.append(last_json(out))
    assert [r["task_index"] for r in results] == [0, 1]
    assert all(r["num_replicas"] == 2 for r in results)
    for name in agreed:
        assert results[0][name] == pytest.approx(results[1][name], rel=1e-6), name
    return results


def test_multi_worker_two_processes_then_evaluate(env: ProjectEnv) -> None:
    workers = start_workers(env, "train", *sets(*SMALL, "trainer.run_name=two-workers"))
    results = []
    for code, out, err in finish(workers):
        assert code == 0, f"worker exited {code}\n{out[-3000:]}{err[-3000:]}"
        results.append(last_json(out))
    assert [r["task_index"] for r in results] == [0, 1]
    assert all(
        r["num_replicas"] == 2 and r["strategy"] == "CollectiveAllReduceStrategy" for r in results
    )
    # The chief named the run; the other worker was told the name.
    assert results[0]["run_dir"] == results[1]["run_dir"] == "runs/two-workers"
    assert results[0]["train_loss"] == pytest.approx(results[1]["train_loss"], rel=1e-6)
    assert results[0]["val_loss"] == pytest.approx(results[1]["val_loss"], rel=1e-6)
    # Only the chief writes the run; the other worker's checkpoints went to a temporary directory.
    run = env.root / "runs" / "two-workers"
    assert (run / "checkpoints" / "last" / "ckpt-14.index").is_file()
    assert len(rows(run)) == 2
    evaluated = env.run_json(COMMAND, "evaluate", "--run", str(run), timeout=TIMEOUT)
    assert evaluated["val_loss"] == pytest.approx(results[0]["best_val_loss"], rel=1e-5)


def test_multi_worker_stops_together_on_one_workers_sigterm_and_resumes(env: ProjectEnv) -> None:
    overrides = sets("trainer.epochs=2", "trainer.run_name=two-workers-cut")
    workers = start_workers(env, "train", *overrides)
    wait_for_training(workers[1], delay=1.0)
    workers[1].send_signal(signal.SIGTERM)  # one worker only: the other must not wait forever
    for code, _, err in finish(workers):
        assert code == 143, err
        assert "stopped by SIGTERM" in err.splitlines()[-1]
    run = env.root / "runs" / "two-workers-cut"
    for code, out, err in finish(start_workers(env, "train", "--resume", str(run))):
        assert code == 0, err[-3000:]
        assert last_json(out)["epochs_completed"] == 2
    assert [int(row["epoch"]) for row in rows(run)] == [1, 2]


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    out = project_tests.result()
    assert " passed" in out and "skipped" not in out, out
