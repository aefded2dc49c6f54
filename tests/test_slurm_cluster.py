"""The Slurm test cluster (tests/slurm_cluster.py) does what the launcher tests rely on: several
tasks per job, command-line options over #SBATCH lines, and a job that traps its warning signal,
requeues itself and runs again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slurm_cluster import SlurmCluster, slurm_fixture  # noqa: F401  (the fixture `slurm`)

# It installs and starts system daemons: a slow test, like those that install projects.
pytestmark = pytest.mark.e2e

TASKS = """\
#!/bin/bash
#SBATCH --gpus-per-node=1
srun bash -c 'echo "task $SLURM_PROCID of $SLURM_NTASKS on $SLURMD_NODENAME"'
"""

REQUEUE = """\
#!/bin/bash
#SBATCH --requeue
restart=${SLURM_RESTART_COUNT:-0}
echo "run restart=$restart"
if [ "$restart" -gt 0 ]; then
    echo "resumed"
    exit 0
fi
on_warning() {
    echo "warned"
    scontrol requeue "$SLURM_JOB_ID"
    exit 0
}
trap on_warning USR1
echo "waiting"
# A short sleep in a loop: bash runs the trap between commands, not inside a long sleep.
for _ in $(seq 600); do sleep 0.2; done
echo "not warned"
exit 1
"""


def test_both_tasks_run_and_the_command_line_overrides_sbatch_lines(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    # The script asks for a GPU this node does not have; --gpus-per-node=0 on the command line wins.
    code, output = slurm.sbatch_wait(TASKS, "--ntasks=2", "--gpus-per-node=0", cwd=tmp_path)
    assert code == 0, output
    assert sorted(re.findall(r"task (\d) of 2", output)) == ["0", "1"], output


def test_without_the_override_the_gpu_request_is_refused(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    script = tmp_path / "gpu.sh"
    script.write_text(TASKS, encoding="utf-8")
    result = slurm.run("sbatch", "--ntasks=1", str(script), check=False, cwd=tmp_path)
    assert result.returncode != 0
    assert "node configuration is not available" in result.stderr, result.stderr


def test_a_warned_job_requeues_itself_and_runs_again(slurm: SlurmCluster, tmp_path: Path) -> None:
    job, output, _ = slurm.submit(REQUEUE, cwd=tmp_path)
    slurm.wait_for_file(Path(output), "waiting", timeout=60)
    # What `#SBATCH --signal=B:USR1@120` sends before the time limit, now.
    slurm.signal_job(job, "USR1", batch=True)
    assert slurm.wait(job, timeout=120) == 0
    text = Path(output).read_text()
    assert "warned" in text and "not warned" not in text, text
    assert "run restart=0" in text and "run restart=1" in text and "resumed" in text, text
