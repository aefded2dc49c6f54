"""The cluster launchers of the generated projects: Slurm batch scripts and Kubernetes manifests.

Rendered scripts pass `bash -n` and shellcheck; manifests pass `kubernetes-validate --strict` (core
objects) and a schema of the Kubeflow Trainer v2 fields they use. The end-to-end tests submit the
PyTorch and TensorFlow scripts of installed projects to a real one-node Slurm cluster
(tests/slurm_cluster.py) with the contract command, and pre-empt a PyTorch job: it checkpoints,
requeues itself and finishes with the metrics of an unbroken run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from harness import ProjectEnv, bake, generate, leftover_jinja
from installs import SharedInstalls, task_install
from slurm_cluster import SlurmCluster, slurm_fixture  # noqa: F401  (the fixture `slurm`)

SLURM_TEMPLATES = ("pytorch", "tensorflow")
INSTALLS = tuple(task_install(template) for template in SLURM_TEMPLATES)
K8S_TEMPLATES = ("pytorch", "tensorflow", "keras")
# The contract of issue 16: two processes on a node without GPUs, GPU lines overridden.
CONTRACT = ("--nodes=1", "--ntasks-per-node=2", "--gpus-per-node=0")
TRAIN = ("train", "--set", "trainer.epochs=1", "--set", "data.num_samples=256")
JOB_TIMEOUT = 420


def tool(name: str, package: str | None = None) -> str:
    """A command-line tool, apt-installed when missing and possible; else skip (fail in CI)."""
    found = shutil.which(name)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", package or name], env=env,
                       capture_output=True, timeout=600, check=False)  # fmt: skip
        found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (apt-get install {package or name})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


# ----- Slurm scripts ---------------------------------------------------------------------------


@pytest.mark.parametrize("accelerator", ["cpu", "cuda"])
@pytest.mark.parametrize("template", SLURM_TEMPLATES)
def test_batch_script_renders_and_passes_shellcheck(
    tmp_path: Path, template: str, accelerator: str
) -> None:
    project = bake(template, tmp_path, accelerator=accelerator)
    script = project / "slurm" / "train.sbatch"
    assert script.is_file()
    assert leftover_jinja(project / "slurm") == []
    text = script.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "#!/bin/bash"
    # sbatch reads #SBATCH lines only before the first command.
    first_command = next(i for i, line in enumerate(lines[1:], 1) if line and line[0] != "#")
    sbatch_lines = [i for i, line in enumerate(lines) if line.startswith("#SBATCH")]
    assert sbatch_lines and max(sbatch_lines) < first_command
    options = [lines[i].split()[1] for i in sbatch_lines]
    for wanted in ("--requeue", "--signal=B:USR1@120", "--ntasks-per-node=2", "--nodes=1"):
        assert wanted in options, (wanted, options)
    assert ("--gpus-per-node=2" in options) == (accelerator == "cuda"), options
    assert "image-classifier" in text and "{{" not in text

    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [tool("shellcheck"), "--shell=bash", "--severity=info", str(script)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("template", ["pytorch", "tensorflow", "keras"])
def test_cluster_launchers_no_leaves_them_out(tmp_path: Path, template: str) -> None:
    with_them = bake(template, tmp_path / "yes")
    without = bake(template, tmp_path / "no", cluster_launchers="no")
    assert (with_them / "k8s").is_dir()
    assert (with_them / "slurm").is_dir() == (template != "keras")
    assert not (without / "k8s").exists() and not (without / "slurm").exists()
    readme = (without / "README.md").read_text(encoding="utf-8")
    assert "## Running on a cluster" not in readme
    assert "## Running on a cluster" in (with_them / "README.md").read_text(encoding="utf-8")


def headings(project: Path) -> list[str]:
    readme = (project / "README.md").read_text(encoding="utf-8")
    return [line for line in readme.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("template", ["pytorch", "keras"])
def test_the_several_machines_answer_leads_the_readme_with_the_cluster(
    tmp_path: Path, template: str
) -> None:
    """Through the real `scaffold new`: "several machines" puts the cluster section right after the
    decision's reasons; any other answer keeps it after the framework's own sections; and a single
    flag still removes the launchers, whatever the answer."""
    answers = ("--framework", template, "-a", "domain=vision")
    multi, _ = generate(tmp_path / "multi", *answers, "-a", "distributed=multi-node")
    single, _ = generate(tmp_path / "single", *answers, "-a", "distributed=no")
    bare, _ = generate(
        tmp_path / "bare", *answers, "-a", "distributed=multi-node", "--set", "cluster_launchers=no"
    )
    first = headings(multi)
    assert first[0].startswith("## Why ") and first[1] == "## Running on a cluster", first
    assert first.count("## Running on a cluster") == 1
    second = headings(single)
    assert second.index("## Running on a cluster") > second.index("## Data")
    assert (multi / "k8s").is_dir() and not (bare / "k8s").exists()
    assert "## Running on a cluster" not in headings(bare)


def test_keras_has_no_batch_script_yet(tmp_path: Path) -> None:
    # Keras on JAX across processes needs jax.distributed.initialize() in the project first.
    assert not (bake("keras", tmp_path) / "slurm").exists()


# ----- Kubernetes manifests --------------------------------------------------------------------

QUANTITY = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
ENV = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "value": {"type": "string"},
                       "valueFrom": {"type": "object"}},
        "additionalProperties": False,
    },
}  # fmt: skip
# The fields of trainer.kubeflow.org/v1alpha1 TrainJob the manifests use, as in the CRD of Kubeflow
# Trainer v2 (manifests/base/crds/trainer.kubeflow.org_trainjobs.yaml): unknown fields are errors.
TRAINJOB_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "trainer.kubeflow.org/v1alpha1"},
        "kind": {"const": "TrainJob"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {
                # The CRD's rule: an RFC 1035 label of at most 63 characters.
                "name": {"type": "string", "pattern": "^[a-z]([-a-z0-9]*[a-z0-9])?$",
                         "maxLength": 63},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "required": ["runtimeRef"],
            "additionalProperties": False,
            "properties": {
                "runtimeRef": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "apiGroup": {"const": "trainer.kubeflow.org"},
                        "kind": {"enum": ["ClusterTrainingRuntime", "TrainingRuntime"]},
                    },
                },
                "suspend": {"type": "boolean"},
                "trainer": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "image": {"type": "string", "maxLength": 500},
                        "command": {"type": "array", "items": {"type": "string"}},
                        "args": {"type": "array", "items": {"type": "string"}},
                        "env": ENV,
                        "numNodes": {"type": "integer", "minimum": 1},
                        "numProcPerNode": {"type": "integer", "minimum": 1},
                        "resourcesPerNode": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "limits": {"type": "object", "additionalProperties": QUANTITY},
                                "requests": {"type": "object", "additionalProperties": QUANTITY},
                            },
                        },
                    },
                },
            },
        },
    },
}  # fmt: skip
# A namespaced TrainingRuntime (the TensorFlow one; Trainer v2 ships none for TensorFlow): its own
# fields here, the Job template inside it is checked as a batch/v1 Job by kubernetes-validate.
RUNTIME_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "trainer.kubeflow.org/v1alpha1"},
        "kind": {"enum": ["TrainingRuntime", "ClusterTrainingRuntime"]},
        "spec": {
            "type": "object",
            "required": ["template"],
            "additionalProperties": False,
            "properties": {
                "mlPolicy": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"numNodes": {"type": "integer", "minimum": 1}},
                },
                "template": {
                    "type": "object",
                    "required": ["spec"],
                    "properties": {
                        "spec": {
                            "type": "object",
                            "required": ["replicatedJobs"],
                            "properties": {
                                "replicatedJobs": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["name", "template"],
                                        "properties": {
                                            "name": {"type": "string"},
                                            "replicas": {"type": "integer"},
                                            "template": {"type": "object"},
                                        },
                                    },
                                }
                            },
                        }
                    },
                },
            },
        },
    },
}  # fmt: skip


def kubernetes_validate(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{path.name}:\n{result.stdout}{result.stderr}"


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


@pytest.mark.parametrize("template", K8S_TEMPLATES)
def test_manifests_validate(tmp_path: Path, template: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("kubernetes_validate")
    project = bake(template, tmp_path)
    k8s = project / "k8s"
    files = sorted(k8s.glob("*.yaml"))
    assert files, f"no manifests in {k8s}"
    assert leftover_jinja(k8s) == []
    kinds = set()
    for path in files:
        docs = documents(path)
        trainer = [d for d in docs if d["apiVersion"].startswith("trainer.kubeflow.org/")]
        core = [d for d in docs if d not in trainer]
        if core:
            kubernetes_validate(path)
        for doc in trainer:
            kinds.add(doc["kind"])
            if doc["kind"] == "TrainJob":
                jsonschema.validate(doc, TRAINJOB_SCHEMA)
                assert doc["spec"]["trainer"]["image"] == "image-classifier:latest"
            else:
                jsonschema.validate(doc, RUNTIME_SCHEMA)
                for rjob in doc["spec"]["template"]["spec"]["replicatedJobs"]:
                    job = {"apiVersion": "batch/v1", "kind": "Job", **rjob["template"]}
                    job.setdefault("metadata", {})["name"] = rjob["name"]
                    (tmp_path / "job.yaml").write_text(yaml.safe_dump(job), encoding="utf-8")
                    kubernetes_validate(tmp_path / "job.yaml")
        for doc in core:
            kinds.add(doc["kind"])
            for container in _containers(doc):
                assert container["image"] == "image-classifier:latest"
        text = path.read_text(encoding="utf-8")
        assert "nvidia.com/gpu" in text, f"{path.name}: no GPU request (as a comment) to fill"
    if template != "keras":
        assert {"TrainJob", "Job", "Service"} <= kinds, kinds
    else:
        assert "Job" in kinds, kinds


def _containers(doc: dict) -> list[dict]:
    if doc["kind"] == "Job":
        return doc["spec"]["template"]["spec"]["containers"]
    return []


def test_indexed_job_rendezvous_matches_its_service(tmp_path: Path) -> None:
    """The pods of the plain Job find pod 0 as <job>-0.<headless service>."""
    for template in ("pytorch", "tensorflow"):
        project = bake(template, tmp_path / template)
        docs = documents(project / "k8s" / "job.yaml")
        service = next(d for d in docs if d["kind"] == "Service")
        job = next(d for d in docs if d["kind"] == "Job")
        pod = job["spec"]["template"]["spec"]
        assert service["spec"]["clusterIP"] == "None"
        assert service["spec"]["publishNotReadyAddresses"] is True
        assert pod["subdomain"] == service["metadata"]["name"]
        assert job["spec"]["completionMode"] == "Indexed"
        assert job["spec"]["completions"] == job["spec"]["parallelism"] == 2
        selector = service["spec"]["selector"]
        assert selector.items() <= job["spec"]["template"]["metadata"]["labels"].items()
        container = pod["containers"][0]
        if template == "pytorch":
            command = " ".join(container["command"])
            assert "--master-addr=image-classifier-0.image-classifier " in command, command
            assert '--node-rank="$JOB_COMPLETION_INDEX"' in command and "--nnodes=2" in command
        else:
            env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
            config = pod_tf_config(container, {"NODES": env["NODES"], "JOB_COMPLETION_INDEX": "1"})
            assert config == {
                "cluster": {
                    "worker": [f"image-classifier-{i}.image-classifier:2222" for i in (0, 1)]
                },
                "task": {"type": "worker", "index": 1},
            }


def test_tensorflow_trainjob_workers_are_the_jobset_pods(tmp_path: Path) -> None:
    k8s = bake("tensorflow", tmp_path) / "k8s"
    (runtime,) = documents(k8s / "trainingruntime.yaml")
    (trainjob,) = documents(k8s / "trainjob.yaml")
    assert trainjob["spec"]["runtimeRef"]["name"] == runtime["metadata"]["name"]
    assert trainjob["spec"]["runtimeRef"]["kind"] == runtime["kind"] == "TrainingRuntime"
    nodes = next(e["value"] for e in trainjob["spec"]["trainer"]["env"] if e["name"] == "NODES")
    assert int(nodes) == trainjob["spec"]["trainer"]["numNodes"]
    (rjob,) = runtime["spec"]["template"]["spec"]["replicatedJobs"]
    (container,) = rjob["template"]["spec"]["template"]["spec"]["containers"]
    env = {"NODES": nodes, "JOB_COMPLETION_INDEX": "0", "JOBSET_NAME": "image-classifier"}
    config = pod_tf_config(container, env)
    assert config["cluster"]["worker"] == [
        f"image-classifier-node-0-{i}.image-classifier:2222" for i in range(int(nodes))
    ]
    assert config["task"] == {"type": "worker", "index": 0}


def pod_tf_config(container: dict, env: dict[str, str]) -> dict:
    """Run a container's `sh -c` command with a stand-in for the project that prints TF_CONFIG."""
    command = container["command"]
    assert command[:2] == ["sh", "-c"], command
    script = command[2].replace('exec image-classifier "$@"', 'printf %s "$TF_CONFIG"')
    result = subprocess.run(
        ["sh", "-c", script, *command[3:], *container.get("args", [])],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


FAKE_SLURM = {
    # Three nodes, 2 + 2 + 1 tasks: what `scontrol show hostnames` and srun's block placement give.
    "scontrol": 'if [ "$1 $2" = "show hostnames" ]; then printf "n1\\nn2\\nn3\\n"; fi',
    # One process per task, in order, with the variables srun sets; options are ignored.
    "srun": """while [ "${1#-}" != "$1" ]; do shift; done
t=0
for node in n1 n1 n2 n2 n3; do
    SLURM_PROCID=$t SLURM_LOCALID=$((t % 2)) SLURMD_NODENAME=$node "$@"
    t=$((t + 1))
done""",
    "image-classifier": 'echo "rank=${RANK:-} world=${WORLD_SIZE:-} local=${LOCAL_RANK:-} '
    "master=${MASTER_ADDR:-}:${MASTER_PORT:-} gpus=${CUDA_VISIBLE_DEVICES:-} tf=${TF_CONFIG:-} "
    'args=$*"',
}


@pytest.mark.parametrize("template", SLURM_TEMPLATES)
def test_batch_script_on_three_nodes(tmp_path: Path, template: str) -> None:
    """The script's rank and TF_CONFIG arithmetic for an uneven allocation, with stand-ins for
    scontrol, srun and the project."""
    project = bake(template, tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in FAKE_SLURM.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "SLURM_JOB_ID": "1234",
        "SLURM_JOB_NODELIST": "n[1-3]",
        "SLURM_TASKS_PER_NODE": "2(x2),1",
        "SLURM_NTASKS": "5",
        "SLURM_NTASKS_PER_NODE": "2",
        "CUDA_VISIBLE_DEVICES": "0,1",  # --gpus-per-node=2
        "SLURM_SUBMIT_DIR": str(project),
    }
    result = subprocess.run(
        ["bash", str(project / "slurm" / "train.sbatch"), "train", "--set", "trainer.epochs=1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("rank=")]
    assert len(lines) == 5, result.stdout
    port = 20000 + 1234 % 1000 * 32
    args = "args=train --set trainer.run_name=slurm-1234 --set trainer.epochs=1"
    assert all(line.endswith(args) for line in lines), lines
    if template == "pytorch":
        for t, line in enumerate(lines):
            # Every rank sees the node's GPUs and takes its own by LOCAL_RANK.
            assert line.startswith(f"rank={t} world=5 local={t % 2} master=n1:{port} gpus=0,1 ")
    else:
        workers = [f"n{n}:{port + local}" for n, local in ((1, 0), (1, 1), (2, 0), (2, 1), (3, 0))]
        for t, line in enumerate(lines):
            assert line.startswith(f"rank={t} "), line
            assert f" gpus={t % 2} " in line, line  # a worker per GPU
            config = json.loads(line.split(" tf=", 1)[1].split(" args=", 1)[0])
            assert config == {
                "cluster": {"worker": workers},
                "task": {"type": "worker", "index": t},
            }


# ----- On a real Slurm cluster -----------------------------------------------------------------


def result_json(output: str) -> dict:
    """The result JSON rank 0 printed (indented), picked out of the job's interleaved output."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "{"]
    assert starts, f"no result JSON in the job output:\n{output[-4000:]}"
    body = ["{"]
    for line in lines[starts[-1] + 1 :]:
        if line == "}":
            body.append(line)
            break
        if line.startswith("  "):  # other ranks' log lines start with a time or a name
            body.append(line)
    return json.loads("\n".join(body))


@pytest.fixture(scope="module", params=SLURM_TEMPLATES)
def installed(request: pytest.FixtureRequest, shared_installs: SharedInstalls):
    """The template's image project, installed once for the session from its printed steps (its
    e2e module shares the install): jobs name their runs after the job id."""
    return request.param, shared_installs.get(*task_install(request.param))


def job_env(project: ProjectEnv) -> dict[str, str]:
    # What a user has in a shell: not the test environment's venv. The script activates the
    # project's .venv itself.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    env.update(PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    return env


@pytest.mark.e2e
def test_sbatch_contract_trains_with_two_processes(slurm: SlurmCluster, installed) -> None:
    template, project = installed
    code, output = slurm.sbatch_wait(
        "slurm/train.sbatch", *CONTRACT, *TRAIN, cwd=project.root, env=job_env(project),
        timeout=JOB_TIMEOUT,
    )  # fmt: skip
    print(f"$ sbatch --wait {' '.join(CONTRACT)} slurm/train.sbatch {' '.join(TRAIN)}\n{output}")
    assert code == 0, output
    result = result_json(output)
    assert result[{"pytorch": "world_size", "tensorflow": "num_replicas"}[template]] == 2, result
    assert result["epochs_completed"] == 1
    # The run is named after the job, so that a requeue of this job would continue it.
    assert re.search(rf"runs/slurm-{slurm.last_job_id}\b", str(result.get("run_dir", ""))), result


@pytest.mark.e2e
# One template: the trap and the requeue are text both scripts share. 4096 samples make 25 steps
# per epoch, so the warning lands inside epoch 2 and the resume starts mid-epoch.
@pytest.mark.parametrize("installed", ["pytorch"], indirect=True)
def test_preempted_job_checkpoints_requeues_and_matches_an_unbroken_run(
    slurm: SlurmCluster, installed
) -> None:
    _, project = installed
    train = ("train", "--set", "trainer.epochs=3", "--set", "data.num_samples=4096")
    env = job_env(project)
    code, unbroken_output = slurm.sbatch_wait(
        "slurm/train.sbatch", *CONTRACT, *train, cwd=project.root, env=env, timeout=JOB_TIMEOUT
    )
    assert code == 0, unbroken_output
    unbroken = result_json(unbroken_output)

    job, output_file, _ = slurm.submit(
        "slurm/train.sbatch", *train, options=CONTRACT, cwd=project.root, env=env
    )
    output = Path(output_file)
    slurm.wait_for_file(output, "epoch 1/3", timeout=JOB_TIMEOUT)
    # What `#SBATCH --signal=B:USR1@120` sends two minutes before the time limit.
    slurm.signal_job(job, "USR1", batch=True)
    assert slurm.wait(job, timeout=JOB_TIMEOUT) == 0, output.read_text()
    text = output.read_text()
    print(f"--- unbroken run ---\n{unbroken_output}\n--- pre-empted job {job} ---\n{text}")
    assert "warning signal" in text and "the training exited 143" in text, text
    assert f"resuming runs/slurm-{job} (job {job}, restart 1)" in text, text
    resumed = result_json(text)
    assert resumed["epochs_completed"] == 3
    for key in ("train_loss", "val_loss", "val_accuracy"):
        assert resumed[key] == pytest.approx(unbroken[key], rel=1e-6), (key, resumed, unbroken)
