# ---- Launch, pre-emption and requeue, shared by every template's batch script ----
# `#SBATCH --signal=B:USR1@120` sends USR1 to this shell (B: the batch shell only) about two minutes
# before the time limit (Slurm checks once a minute, so it comes 60 to 120 s early). USR1, not TERM:
# a plain `scancel` sends TERM to everything and must not requeue the job. On USR1 every process of
# the training gets SIGTERM, saves a checkpoint and exits 143; then the job requeues itself and its
# next start resumes the run (see above). Keep the warning time (@120) above the time a checkpoint
# takes. REQUEUE=0 turns the requeue off.
step=""
# shellcheck disable=SC2317  # called by the trap
on_warning() {
    echo "slurm/train.sbatch: $(date '+%F %T') warning signal: checkpoint and stop, then requeue job $SLURM_JOB_ID" >&2
    local code=0
    if [ -n "$step" ]; then
        # SIGTERM to every process of the job's steps (not to this shell), and nothing after it:
        # `kill` on srun would abort the step and SIGKILL the ranks after KillWait (30 s by default).
        scancel --signal=TERM "$SLURM_JOB_ID" || kill -TERM "$step" 2>/dev/null || true
        wait "$step" || code=$?
    fi
    echo "slurm/train.sbatch: the training exited $code" >&2
    if [ "${REQUEUE:-1}" = 1 ] && scontrol requeue "$SLURM_JOB_ID"; then
        exit 0  # Slurm ends this attempt now and starts the job again
    fi
    exit "$code"
}
trap on_warning USR1

echo "slurm/train.sbatch: job $SLURM_JOB_ID on $SLURM_JOB_NODELIST: $SLURM_NTASKS task(s), rendezvous $HEAD_NODE:$BASE_PORT: {{ cookiecutter.project_slug }} $*"
# In the background, so that this shell can take the signal while the step runs.
launch "$@" &
step=$!
code=0
wait "$step" || code=$?
exit "$code"
