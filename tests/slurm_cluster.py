"""A real single-node Slurm cluster for tests: munged, slurmctld and slurmd on this machine.

Import the fixture into a test module (tests/ and tests/templates/ are on sys.path):

    from slurm_cluster import SlurmCluster, slurm_fixture  # noqa: F401  (the fixture `slurm`)

    def test_something(slurm: SlurmCluster, tmp_path):
        code, output = slurm.sbatch_wait(SCRIPT, "--ntasks=2", cwd=tmp_path)

The packages are Debian's `slurm-wlm` and `munge`, installed with apt-get when missing (CI runs as root).
A cluster that cannot be installed or started FAILS the test; it never skips.

Everything the cluster writes lives in one state directory (STATE_DIR, default /tmp/scaffold-slurm):
its own munge key, socket and log, slurm.conf, spool and state directories, pid files and logs. The
system's /etc/munge and /etc/slurm are not used. The daemons listen on free ports picked at start, so
a Slurm that already runs on the machine is left alone. A lock file serialises test sessions on the
same machine; at start, daemons and job processes left from an earlier session (a crash, a kill -9) are
found by their pid files and by the SLURM_CONF in their environment, stopped, and the state removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

STATE_DIR = Path(os.environ.get("SCAFFOLD_SLURM_DIR", "/tmp/scaffold-slurm"))
PACKAGES = ("slurm-wlm", "munge")
BINARIES = ("slurmctld", "slurmd", "sbatch", "srun", "scontrol", "sinfo", "munged", "mungekey")
START_TIMEOUT = 60.0
FINISHED = {
    "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
    "DEADLINE", "PREEMPTED",
}  # fmt: skip


class SlurmError(RuntimeError):
    pass


def _run(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 120, **kw
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kw,
    )


def ensure_installed() -> None:
    """apt-get the packages when a binary is missing; raise SlurmError when that is impossible."""
    missing = [b for b in BINARIES if shutil.which(b, path=_sbin_path()) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SlurmError(f"Slurm is missing ({', '.join(missing)}) and installing it needs root")
    if shutil.which("apt-get") is None:
        raise SlurmError(f"Slurm is missing ({', '.join(missing)}) and there is no apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
    ):
        result = _run(command, env=env, timeout=900)
        if result.returncode != 0:
            raise SlurmError(
                f"{' '.join(command)} exited {result.returncode}:\n{result.stdout[-2000:]}"
                f"{result.stderr[-2000:]}"
            )
    missing = [b for b in BINARIES if shutil.which(b, path=_sbin_path()) is None]
    if missing:
        raise SlurmError(f"installed {' '.join(PACKAGES)} but still missing: {', '.join(missing)}")


def _sbin_path() -> str:
    path = os.environ.get("PATH", "")
    return os.pathsep.join([path, "/usr/local/sbin", "/usr/sbin", "/sbin"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a daemon that died under us, not yet reaped) is not alive.
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            return False
    return True


def _processes_of(state_dir: Path) -> list[int]:
    """Processes that belong to a cluster in state_dir: daemons started with its config or munge
    socket, and slurmstepd and job processes, which inherit SLURM_CONF from slurmd."""
    inside = str(state_dir).encode() + b"/"  # not a prefix of another directory's name
    conf = b"SLURM_CONF=" + str(state_dir / "slurm.conf").encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if inside in cmdline or conf in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _stop_pids(pids: Sequence[int], timeout: float = 10.0) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class SlurmCluster:
    """One node (this host), one partition `debug`, daemons run as root, jobs as the caller."""

    def __init__(self, state_dir: Path = STATE_DIR) -> None:
        self.dir = state_dir
        self.conf = state_dir / "slurm.conf"
        self.munge_socket = state_dir / "munge" / "munge.socket"
        self.node = socket.gethostname().split(".")[0]
        self.cpus = os.cpu_count() or 1
        self._lock: int | None = None

    # ----- environment -----------------------------------------------------------------------

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of a Slurm client command (sbatch, srun, scontrol) for this cluster."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_"))}
        env["SLURM_CONF"] = str(self.conf)
        env["PATH"] = _sbin_path()
        env.update(extra or {})
        return env

    def run(self, *command: str, check: bool = True, timeout: float = 60, **kw):
        result = _run(command, env=self.env(kw.pop("env", None)), timeout=timeout, **kw)
        if check and result.returncode != 0:
            raise SlurmError(
                f"{' '.join(command)} exited {result.returncode}: {result.stdout}{result.stderr}"
            )
        return result

    # ----- life cycle ------------------------------------------------------------------------

    def start(self) -> SlurmCluster:
        ensure_installed()
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.dir.parent / f".{self.dir.name}.lock"
        self._lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        deadline = time.monotonic() + 600
        while True:  # another test session on this machine holds the cluster: wait for it
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SlurmError(f"{lock_path} stayed locked by another session") from None
                time.sleep(1)
        self._clean_leftovers()
        self._write_state()
        self._start_munged()
        self._start_slurm()
        return self

    def stop(self) -> None:
        try:
            if self.conf.exists():
                self.run(
                    "scancel",
                    "--full",
                    "--user",
                    pwd.getpwuid(os.getuid()).pw_name,
                    check=False,
                    timeout=15,
                )
            self._clean_leftovers()
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def _clean_leftovers(self) -> None:
        pids = []
        for name in ("slurmctld.pid", "slurmd.pid", "munge/munged.pid"):
            with contextlib.suppress(OSError, ValueError):
                pids.append(int((self.dir / name).read_text().split()[0]))
        pids = sorted({p for p in pids if _alive(p)} | set(_processes_of(self.dir)))
        _stop_pids(pids)
        if self.dir.exists():
            shutil.rmtree(self.dir)

    def _write_state(self) -> None:
        munge = pwd.getpwnam("munge")
        for sub in ("ctld", "spool", "log"):
            (self.dir / sub).mkdir(parents=True)
        self.dir.chmod(0o755)
        munge_dir = self.dir / "munge"
        munge_dir.mkdir()
        munge_dir.chmod(0o755)  # the socket must be reachable by every user
        key = munge_dir / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        for path in (munge_dir, key):
            os.chown(path, munge.pw_uid, munge.pw_gid)
        ctld_port, slurmd_port = _free_port(), _free_port()
        while slurmd_port == ctld_port:
            slurmd_port = _free_port()
        d = self.dir
        self.conf.write_text(
            textwrap.dedent(
                f"""\
                # Written by tests/slurm_cluster.py: a one-node test cluster.
                ClusterName=scaffoldtest
                SlurmctldHost={self.node}(127.0.0.1)
                SlurmctldPort={ctld_port}
                SlurmdPort={slurmd_port}
                SlurmUser=root
                SlurmdUser=root
                AuthType=auth/munge
                # cred_expire is also how long a requeued job waits before it may start again
                # (120 s by default): short here, so that a requeue test takes seconds.
                AuthInfo=socket={self.munge_socket},cred_expire=10
                CredType=cred/munge
                StateSaveLocation={d}/ctld
                SlurmdSpoolDir={d}/spool
                SlurmctldPidFile={d}/slurmctld.pid
                SlurmdPidFile={d}/slurmd.pid
                SlurmctldLogFile={d}/log/slurmctld.log
                SlurmdLogFile={d}/log/slurmd.log
                SlurmctldDebug=info
                SlurmdDebug=info
                # No cgroups in a container: track processes by parent pid, bind nothing.
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                SelectType=select/cons_tres
                SelectTypeParameters=CR_CPU
                # GPU requests resolve (to none here), so `--gpus-per-node=0` is a valid override.
                GresTypes=gpu
                SwitchType=switch/none
                MpiDefault=none
                JobAcctGatherType=jobacct_gather/none
                AccountingStorageType=accounting_storage/none
                SchedulerType=sched/backfill
                SchedulerParameters=sched_interval=2
                # A node that came back (a restarted slurmd) is usable at once.
                ReturnToService=2
                SlurmdParameters=config_overrides
                # Batch jobs may be requeued (scontrol requeue, or after a node failure).
                JobRequeue=1
                # sbatch --wait polls every 2 s while that is under MinJobAge/2, else it backs off
                # to 8 s and more. Finished jobs are forgotten 4 s (or a little more) after the end.
                MinJobAge=4
                KillWait=10
                InactiveLimit=0
                MessageTimeout=20
                MailProg=/bin/true
                PropagateResourceLimits=NONE
                NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN
                PartitionName=debug Nodes={self.node} Default=YES MaxTime=INFINITE State=UP
                """
            ),
            encoding="utf-8",
        )

    def _start_munged(self) -> None:
        m = self.dir / "munge"
        result = _run(
            [
                "runuser", "-u", "munge", "--",
                shutil.which("munged", path=_sbin_path()) or "munged",
                f"--socket={self.munge_socket}",
                f"--key-file={m / 'munge.key'}",
                f"--pid-file={m / 'munged.pid'}",
                f"--log-file={m / 'munged.log'}",
                f"--seed-file={m / 'munged.seed'}",
            ]
        )  # fmt: skip
        if result.returncode != 0:
            raise SlurmError(f"munged failed: {result.stderr}{self._log('munge/munged.log')}")
        probe = subprocess.run(
            f"munge -n -S {self.munge_socket} | unmunge -S {self.munge_socket}",
            shell=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if probe.returncode != 0:
            raise SlurmError(f"munge does not work: {probe.stderr}")

    def _start_slurm(self) -> None:
        for daemon in ("slurmctld", "slurmd"):
            # -i (slurmctld): ignore state files; the state directory is fresh anyway.
            args = ["-i"] if daemon == "slurmctld" else []
            result = self.run(
                shutil.which(daemon, path=_sbin_path()) or daemon,
                "-f",
                str(self.conf),
                *args,
                check=False,
            )
            if result.returncode != 0:
                raise SlurmError(
                    f"{daemon} failed: {result.stderr}{self._log(f'log/{daemon}.log')}"
                )
        deadline = time.monotonic() + START_TIMEOUT
        state = ""
        while time.monotonic() < deadline:
            result = self.run("sinfo", "--noheader", "--nodes", self.node, "-o", "%T", check=False)
            state = result.stdout.strip()
            if state == "idle":
                return
            if state.startswith(("drain", "down")) and "*" not in state:
                self.run("scontrol", "update", f"NodeName={self.node}", "State=RESUME", check=False)
            time.sleep(0.5)
        raise SlurmError(
            f"node {self.node} not idle after {START_TIMEOUT:.0f}s (state {state!r})\n"
            f"{self._log('log/slurmctld.log')}{self._log('log/slurmd.log')}"
        )

    def _log(self, name: str) -> str:
        with contextlib.suppress(OSError):
            return f"\n--- {name} ---\n" + (self.dir / name).read_text(errors="replace")[-3000:]
        return ""

    # ----- jobs ------------------------------------------------------------------------------

    def _script_file(self, script: str | Path, workdir: Path) -> Path:
        """A script file as given (relative to `workdir`, where sbatch runs), or the text of one
        written to a file there."""
        if isinstance(script, Path) or not script.startswith("#!"):
            if not (workdir / script).is_file():
                raise SlurmError(f"no batch script {script} in {workdir}")
            return Path(script)
        fd, name = tempfile.mkstemp(prefix="job-", suffix=".sh", dir=workdir)
        with os.fdopen(fd, "w") as f:
            f.write(script)
        return Path(name)

    def submit(
        self,
        script: str | Path,
        *args: str,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        wait: bool = False,
        timeout: float = 600,
    ) -> tuple[int, str, subprocess.CompletedProcess[str]]:
        """sbatch [--wait] OPTIONS SCRIPT ARGS: returns (job id, output file, sbatch's result).

        `script` is a path or the text of a script (starting with #!). The job's stdout and
        stderr go to `slurm-<jobid>.out` in `cwd`, appended across requeues, unless OPTIONS say
        otherwise.
        """
        workdir = Path(cwd or Path.cwd())
        path = self._script_file(script, workdir)
        defaults = []
        if not any(o.startswith(("--output", "-o")) for o in options):
            defaults.append(f"--output={workdir}/slurm-%j.out")
        if not any(o.startswith("--open-mode") for o in options):
            defaults.append("--open-mode=append")
        command = [
            "sbatch",
            "--parsable",
            *(["--wait"] if wait else []),
            *defaults,
            *options,
            str(path),
            *args,
        ]
        result = self.run(*command, check=False, timeout=timeout, cwd=workdir, env=env)
        first = result.stdout.strip().splitlines()
        if not first or not first[0].split(";")[0].isdigit():
            raise SlurmError(f"{' '.join(command)} exited {result.returncode}: {result.stderr}")
        job_id = first[0].split(";")[0]
        out = next((o.split("=", 1)[1] for o in options if o.startswith("--output=")), None)
        output = (out or f"{workdir}/slurm-%j.out").replace("%j", job_id)
        if not Path(output).is_absolute():
            output = str(workdir / output)
        return int(job_id), output, result

    def sbatch_wait(
        self,
        script: str | Path,
        *options_and_args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 600,
    ) -> tuple[int, str]:
        """`sbatch --wait OPTIONS... SCRIPT ARGS...` and the job's output.

        Arguments that start with `-` before the first plain one are sbatch options; the rest go
        to the script. Returns (exit code of the job as sbatch --wait reports it, output text).
        """
        options, args = _split_options(options_and_args)
        job_id, output, result = self.submit(
            script, *args, options=options, env=env, cwd=cwd, wait=True, timeout=timeout
        )
        text = Path(output).read_text(errors="replace") if Path(output).exists() else ""
        self.last_job_id = job_id
        return result.returncode, text

    def job(self, job_id: int) -> dict[str, str]:
        """`scontrol show job` as a dict of its Key=Value fields ({} once the job is forgotten)."""
        result = self.run("scontrol", "-o", "show", "job", str(job_id), check=False)
        fields: dict[str, str] = {}
        for token in result.stdout.split():
            key, sep, value = token.partition("=")
            if sep:
                fields[key] = value
        return fields

    def state(self, job_id: int) -> str:
        return self.job(job_id).get("JobState", "")

    def wait(self, job_id: int, timeout: float = 600) -> int:
        """Wait until the job has ended (a requeued job runs again first); its exit code, or
        128 + the signal that killed it. Polls every half second, faster than sbatch --wait."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fields = self.job(job_id)
            if not fields:
                raise SlurmError(f"job {job_id} ended and was forgotten before it was seen")
            if fields.get("JobState") in FINISHED:
                code, _, sig = fields.get("ExitCode", "0:0").partition(":")
                return 128 + int(sig) if int(sig or 0) else int(code)
            time.sleep(0.5)
        raise SlurmError(f"job {job_id} still {self.state(job_id)!r} after {timeout}s")

    def wait_for(self, job_id: int, *states: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.state(job_id)
            if state in states:
                return state
            time.sleep(0.3)
        raise SlurmError(f"job {job_id} is {state!r}, not {'/'.join(states)}, after {timeout}s")

    def wait_for_file(self, path: Path, text: str, timeout: float = 120) -> str:
        """Wait until `path` contains `text` (a job reached a point); return the file's text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and text in (content := path.read_text(errors="replace")):
                return content
            time.sleep(0.3)
        raise SlurmError(f"{path} has no {text!r} after {timeout}s")

    def scancel(self, job_id: int, *options: str) -> None:
        self.run("scancel", *options, str(job_id))

    def signal_job(self, job_id: int, sig: str = "USR1", batch: bool = True) -> None:
        """Send a signal to the job's batch shell only (batch=True), as `--signal=B:SIG@T` does,
        or to all its steps."""
        self.scancel(job_id, f"--signal={sig}", *(["--batch"] if batch else []))

    def requeue(self, job_id: int) -> None:
        self.run("scontrol", "requeue", str(job_id))


def _split_options(items: Sequence[str]) -> tuple[list[str], list[str]]:
    options: list[str] = []
    index = 0
    while index < len(items) and items[index].startswith("-"):
        options.append(items[index])
        index += 1
    return options, list(items[index:])


# One cluster per process: a test module that imports the fixture registers its own copy of it, and
# pytest would set up each copy once per session; the copies share this cluster.
_SHARED: dict[str, object] = {"cluster": None, "users": 0}


@pytest.fixture(scope="session", name="slurm")
def slurm_fixture() -> Iterator[SlurmCluster]:
    """The session's Slurm cluster, the fixture `slurm`. A test module imports it
    (`from slurm_cluster import slurm_fixture`); every module that does shares one cluster, started
    once and stopped after the last."""
    if _SHARED["cluster"] is None:
        cluster = SlurmCluster()
        try:
            cluster.start()
        except (SlurmError, subprocess.SubprocessError, OSError, KeyError) as exc:
            cluster.stop()
            pytest.fail(f"could not start the Slurm test cluster: {exc}", pytrace=False)
        _SHARED["cluster"] = cluster
    _SHARED["users"] = int(_SHARED["users"]) + 1  # type: ignore[call-overload]
    try:
        yield _SHARED["cluster"]  # type: ignore[misc]
    finally:
        _SHARED["users"] = int(_SHARED["users"]) - 1  # type: ignore[call-overload]
        if _SHARED["users"] == 0:
            cluster, _SHARED["cluster"] = _SHARED["cluster"], None
            cluster.stop()  # type: ignore[union-attr]
