"""Put the chosen task's files in place, then remove the optional files the answers turned off."""

import json
import shutil
import sys
from pathlib import Path

# The answers arrive as data: a JSON document in a raw string that no value can end (see pre_gen).
ANSWERS = json.loads(
    r'''{{ {"task": cookiecutter.task, "github_actions": cookiecutter.github_actions, "dockerfile": cookiecutter.dockerfile, "cluster_launchers": cookiecutter.cluster_launchers, "backend": cookiecutter.get("backend", ""), "package": cookiecutter.package_name} | tojson }}'''
)
TASKS = Path("_tasks")


def place_task(task: str) -> None:
    """Each task's files sit under `_tasks/<task>/` at the path they take in the project; the chosen
    task's move into place and every other task's are dropped, so the project holds one task."""
    offered = sorted(p.name for p in TASKS.iterdir() if p.is_dir())
    if task not in offered:  # compared by name, so no value can point outside _tasks/
        print(f"this template has no task {task!r}; it has {', '.join(offered)}", file=sys.stderr)
        sys.exit(1)
    chosen = TASKS / task
    for source in sorted(p for p in chosen.rglob("*") if p.is_file()):
        target = source.relative_to(chosen)
        if target.exists():  # a template bug: one module in the common tree and in a task
            print(f"task file {target} is also in the common tree", file=sys.stderr)
            sys.exit(1)
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
    shutil.rmtree(TASKS)


if TASKS.is_dir():
    place_task(ANSWERS["task"])
if ANSWERS["github_actions"] != "yes":
    shutil.rmtree(".github")
if ANSWERS["dockerfile"] != "yes":
    Path("Dockerfile").unlink()
    Path(".dockerignore").unlink()
if ANSWERS["cluster_launchers"] != "yes":
    for folder in ("slurm", "k8s"):
        shutil.rmtree(folder, ignore_errors=True)  # a template may have only one of them
# Keras's common losses.py is the class cross-entropy; tasks that score otherwise leave it out.
if ANSWERS["task"] in ("recommendation", "generative", "language-model"):
    Path("src", ANSWERS["package"], "losses.py").unlink(missing_ok=True)
if ANSWERS["backend"] == "torch":  # Keras on torch imports no TensorFlow: nothing to quiet
    Path("src", ANSWERS["package"], "tensorflow_notices.py").unlink()
    Path("tests", "test_tensorflow_notices.py").unlink()
