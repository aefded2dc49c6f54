"""Remove the optional files the answers turned off."""

import json
import shutil
from pathlib import Path

# The answers arrive as data: a JSON document in a raw string that no value can end (see pre_gen).
ANSWERS = json.loads(
    r'''{{ {"github_actions": cookiecutter.github_actions, "dockerfile": cookiecutter.dockerfile, "cluster_launchers": cookiecutter.cluster_launchers} | tojson }}'''
)
if ANSWERS["github_actions"] != "yes":
    shutil.rmtree(".github")
if ANSWERS["dockerfile"] != "yes":
    Path("Dockerfile").unlink()
    Path(".dockerignore").unlink()
if ANSWERS["cluster_launchers"] != "yes":
    for folder in ("slurm", "k8s"):
        shutil.rmtree(folder, ignore_errors=True)  # a template may have only one of them
