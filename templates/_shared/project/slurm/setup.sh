# ---- Set-up shared by every template's batch script (scaffold: templates/_shared/project/slurm) ----
set -euo pipefail
if [ -z "${SLURM_JOB_ID:-}" ]; then
    echo "slurm/train.sbatch: submit it with sbatch (from the project's root): sbatch slurm/train.sbatch train" >&2
    exit 2
fi

# Slurm runs a copy of this script from its spool directory, in the directory sbatch was called
# from: submit from the project's root, where the run directories are written.
cd "${SLURM_SUBMIT_DIR:-.}"
# The project's virtual environment, when there is one (else what is on PATH: a module, a
# container, a conda environment activated before sbatch; the job inherits the environment).
if [ -f .venv/bin/activate ]; then
    # shellcheck disable=SC1091
    . .venv/bin/activate
fi
if ! command -v {{ cookiecutter.project_slug }} >/dev/null 2>&1; then
    echo "slurm/train.sbatch: no '{{ cookiecutter.project_slug }}' command: install the project in .venv (see README) or put it on PATH" >&2
    exit 1
fi

# The arguments are the command's (default: train).
if [ $# -eq 0 ]; then
    set -- train
fi

# A pre-empted or timed-out job is requeued under the same job id (see the warning trap below), and
# the run is named after the job, so that the requeued job continues its own run and no other.
# The assumptions: runs live in RUNS_DIR/<trainer.run_name>/ (RUNS_DIR: trainer.runs_dir, default
# "runs"; export RUNS_DIR when you change it), and `train --resume RUN` continues RUN from its last
# checkpoint. To continue a run in a new job, name it: sbatch --export=ALL,RUN_NAME=slurm-1234 ...
# (name runs with RUN_NAME, not with --set trainer.run_name, so that a requeue finds them).
RUNS_DIR="${RUNS_DIR:-runs}"
RUN_NAME="${RUN_NAME:-slurm-$SLURM_JOB_ID}"
if [ "$1" = train ]; then
    shift
    if [ -f "$RUNS_DIR/$RUN_NAME/config.toml" ]; then
        echo "slurm/train.sbatch: resuming $RUNS_DIR/$RUN_NAME (job $SLURM_JOB_ID, restart ${SLURM_RESTART_COUNT:-0})"
        set -- train --resume "$RUNS_DIR/$RUN_NAME" "$@"
    else
        set -- train --set "trainer.run_name=$RUN_NAME" "$@"
    fi
fi

# The first node of the allocation is the rendezvous host; the port is derived from the job id,
# so that two jobs sharing a node do not collide (32 ports per job: one per task on a node).
# (Read whole, not through `head`: with pipefail, head closing the pipe early would kill the script
# with SIGPIPE on a large allocation.)
mapfile -t NODES < <(scontrol show hostnames "$SLURM_JOB_NODELIST")
HEAD_NODE="${NODES[0]}"
BASE_PORT="${BASE_PORT:-$((20000 + SLURM_JOB_ID % 1000 * 32))}"
# One thread pool per process sized to its CPUs, not to the whole node.
cpus_per_task="${SLURM_CPUS_PER_TASK:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$cpus_per_task}"
