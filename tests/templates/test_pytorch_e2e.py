"""Generate the PyTorch project with `scaffold new`, install it as its printed steps say, and run
what a user runs: its tests, train, a second train, evaluate, export, Ctrl-C and SIGTERM then
`--resume`, and a two-process torchrun (Gloo on the CPU) that is stopped and resumed."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest
from harness import ProjectEnv, ProjectTests, interrupt, last_json, rows
from installs import SharedInstalls, task_install

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("project_tests")]
INSTALL = task_install("pytorch")
INSTALLS = (INSTALL,)

PACKAGE = "image_classifier"
COMMAND = "image-classifier"
SMALL = ("--set", "data.num_samples=512")
# Enough steps per epoch (51 in one process) that a signal sent a moment after the first epoch's
# record lands inside the second epoch, on most machines; wherever it lands, resume must be exact.
STOPPABLE = (
    "--set",
    "data.num_samples=1024",
    "--set",
    "data.batch_size=16",
    "--set",
    "trainer.epochs=3",
)
TORCHRUN = ("torchrun", "--standalone", "--nproc_per_node=2", "-m", PACKAGE, "train")


def curves(run: Path) -> list[float]:
    """Every epoch's recorded numbers, except the throughput, in one flat list."""
    keys = ("epoch", "train_loss", "val_loss", "val_accuracy", "lr")
    return [float(r[k]) for r in rows(run) for k in keys]


def assert_one_line(stderr: str, *expected: str, launcher: bool = False) -> str:
    """Our own report is one line with no traceback; under torchrun the launcher adds its own
    report of the failed workers after theirs."""
    ours = [line for line in stderr.splitlines() if line.startswith(f"{COMMAND}: ")]
    assert ours, stderr[-3000:]
    if not launcher:
        assert "Traceback" not in stderr, stderr[-3000:]
    for text in expected:
        assert text in ours[-1], ours
    return ours[-1]


@pytest.fixture(scope="module")
def env(shared_installs: SharedInstalls) -> ProjectEnv:
    """The image project, installed once for the session from its printed steps: the Slurm
    launcher tests, which run first, submit their jobs in the same install."""
    return shared_installs.get(*INSTALL)


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    """A seeded run of two epochs, the run that later tests evaluate and export."""
    return env.run_json(
        COMMAND, "train", *SMALL, "--set", "trainer.epochs=2", "--set", "trainer.seed=1"
    )


def test_train_writes_its_own_run(env: ProjectEnv, trained: dict) -> None:
    run = Path(trained["run_dir"])
    assert run.parent == env.root / "runs" and (env.root / "runs" / "latest").resolve() == run
    assert trained["epochs_completed"] == 2 and trained["world_size"] == 1
    for name in ("config.toml", "metrics.csv", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert len(rows(run)) == 2
    assert trained["val_accuracy"] > 0.2, trained  # chance is 0.1


def test_evaluate_reproduces_the_recorded_best_of_a_seeded_run(
    env: ProjectEnv, trained: dict
) -> None:
    result = env.run_json(COMMAND, "evaluate")  # the latest run, with its own config (seed 1)
    assert result["run_dir"] == trained["run_dir"]
    assert result["loss"] == pytest.approx(trained["best_value"], rel=1e-5)
    assert result["accuracy"] == pytest.approx(result["recorded_val_accuracy"], abs=1e-9)


def test_export_reloads_in_a_fresh_process(env: ProjectEnv, trained: dict) -> None:
    result = env.run_json(COMMAND, "export", "--run", trained["run_dir"])
    pt2, labels = Path(result["pt2"]), Path(result["labels"])
    assert pt2.is_file() and pt2.parent == Path(trained["run_dir"]) / "export"
    assert result["max_abs_diff"] <= result["atol"]
    assert json.loads(labels.read_text()) == [str(i) for i in range(10)]
    script = textwrap.dedent(
        f"""
        import json, torch
        from pathlib import Path
        from {PACKAGE}.checkpoint import load_checkpoint
        from {PACKAGE}.model import model_from_checkpoint

        exported = torch.export.load({str(pt2)!r}).module()
        eager = model_from_checkpoint(load_checkpoint(Path({trained["run_dir"]!r}) / "best.pt"))
        x = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            diff = (exported(x) - eager(x)).abs().max().item()
        print(json.dumps({{"diff": diff}}))
        """
    )
    out = env.run("python", "-c", script).stdout
    assert json.loads(out.strip().splitlines()[-1])["diff"] <= 1e-4
    onnx = env.run(COMMAND, "export", "--set", "export.onnx=true", check=False)
    assert onnx.returncode == 2
    assert_one_line(onnx.stderr, 'pip install -e ".[onnx]"')


def test_a_second_train_keeps_the_first_run(env: ProjectEnv, trained: dict) -> None:
    first = Path(trained["run_dir"])
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    second = env.run_json(COMMAND, "train", *SMALL, "--set", "trainer.epochs=1")
    assert second["run_dir"] != trained["run_dir"]
    assert {p: p.read_bytes() for p in first.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("trainer.lr=-1", "trainer.lr must be > 0, not -1.0"),
        ("data.val_fraction=1.0", "data.val_fraction must be > 0 and < 1"),
        ("data.source=no/such/folder", "does not exist"),
    ],
)
def test_a_bad_value_is_one_line(env: ProjectEnv, override: str, message: str) -> None:
    result = env.run(COMMAND, "train", "--set", override, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == assert_one_line(result.stderr, message)


@pytest.fixture(scope="module")
def unbroken(env: ProjectEnv) -> Path:
    return Path(
        env.run_json(COMMAND, "train", *STOPPABLE, "--set", "trainer.run_name=unbroken")["run_dir"]
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_then_resume_equals_the_unbroken_run(
    env: ProjectEnv, unbroken: Path, signum: int
) -> None:
    name = f"stopped-{signal.Signals(signum).name}"
    run = env.root / "runs" / name
    # With loader workers: they get the signal too, and must keep serving the last step.
    workers = ("--set", "data.num_workers=2")
    args = (COMMAND, "train", *STOPPABLE, *workers, "--set", f"trainer.run_name={name}")
    code, stderr = interrupt(env, args, signum, run)
    assert code == 128 + signum, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == assert_one_line(
        stderr, f"stopped by {signal.Signals(signum).name}", "continue with `train --resume`"
    )
    result = env.run_json(COMMAND, "train", "--resume", str(run))
    assert result["epochs_completed"] == 3
    assert curves(run) == pytest.approx(curves(unbroken), rel=1e-6, abs=1e-7)


@pytest.fixture(scope="module")
def ddp(env: ProjectEnv) -> tuple[dict, str]:
    """An unbroken two-process run: its result and its stderr."""
    completed = env.run(*TORCHRUN, *STOPPABLE, "--set", "trainer.run_name=ddp")
    return last_json(completed.stdout), completed.stderr  # only rank 0 prints its result


def test_torchrun_two_processes_then_evaluate(env: ProjectEnv, ddp: tuple[dict, str]) -> None:
    result, stderr = ddp
    assert result["world_size"] == 2 and result["epochs_completed"] == 3
    for rank in (0, 1):
        assert f"[rank {rank}/2] on cpu" in stderr, stderr[-3000:]
    run = Path(result["run_dir"])
    assert sorted(p.name for p in run.glob("*.pt")) == ["best.pt", "last.pt"]
    assert len(rows(run)) == 3
    assert len(list((run / "tensorboard").glob("events.out.tfevents.*"))) == 1
    # One process, the run's own config: the numbers the two processes recorded for best.pt.
    evaluated = env.run_json(COMMAND, "evaluate", "--run", str(run))
    assert evaluated["loss"] == pytest.approx(result["best_value"], rel=1e-5)
    assert evaluated["accuracy"] == pytest.approx(evaluated["recorded_val_accuracy"], abs=1e-9)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_nodes_meet_at_one_rendezvous_and_train_as_one_job(
    env: ProjectEnv, ddp: tuple[dict, str]
) -> None:
    """Two torchrun processes as two "nodes" of this machine, started as the README's
    several-machines lines start them (one c10d rendezvous endpoint and id): one job of two ranks
    that records the numbers of the single-node two-process run."""
    endpoint = f"127.0.0.1:{free_port()}"

    def node() -> subprocess.Popen:
        return subprocess.Popen(
            ["torchrun", "--nnodes=2", "--nproc-per-node=1",
             "--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", "--rdzv-id=two-nodes",
             "-m", PACKAGE, "train", *STOPPABLE, "--set", "trainer.run_name=two-nodes"],
            # One thread each, as torchrun gives each of several processes on one node: the
            # single-node run's kernels then add up in the same order.
            cwd=env.root, env=env.env({"OMP_NUM_THREADS": "1"}), text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    nodes = [node(), node()]
    outputs = [node.communicate(timeout=600) for node in nodes]
    for node, (out, err) in zip(nodes, outputs, strict=True):
        assert node.returncode == 0, out[-2000:] + err[-3000:]
    # The rendezvous numbers the ranks; whichever node holds rank 0 prints the result.
    (printed,) = [out for out, _ in outputs if "\n{" in out or out.startswith("{")]
    result = last_json(printed)
    assert result["world_size"] == 2 and result["epochs_completed"] == 3
    run = env.root / "runs" / "two-nodes"
    # Two agents' Gloo groups may add the ranks' gradients in another order: float32 rounding only.
    assert curves(run) == pytest.approx(curves(Path(ddp[0]["run_dir"])), rel=1e-4, abs=1e-6)


def test_torchrun_stops_together_on_one_workers_sigterm_and_resumes(
    env: ProjectEnv, ddp: tuple[dict, str]
) -> None:
    run = env.root / "runs" / "ddp-stopped"
    args = (*TORCHRUN, *STOPPABLE, "--set", f"trainer.run_name={run.name}")
    code, stderr = interrupt(env, args, signal.SIGTERM, run, workers=True)
    assert code != 0
    assert_one_line(stderr, "stopped by SIGTERM", launcher=True)
    stops = [line for line in stderr.splitlines() if line.startswith(f"{COMMAND}: stopped by")]
    assert len(stops) == 2 and stops[0] == stops[1], stderr[-3000:]  # both ranks, the same step
    resumed = last_json(env.run(*TORCHRUN, "--resume", str(run)).stdout)
    assert resumed["epochs_completed"] == 3
    assert curves(run) == pytest.approx(curves(Path(ddp[0]["run_dir"])), rel=1e-6, abs=1e-7)
    evaluated = env.run_json(COMMAND, "evaluate", "--run", str(run))
    assert evaluated["loss"] == pytest.approx(resumed["best_value"], rel=1e-5)


def test_project_tests_pass(project_tests: ProjectTests) -> None:
    project_tests.result()
