"""Remove the optional files the answers turned off."""

import shutil
from pathlib import Path

if "{{ cookiecutter.github_actions }}" != "yes":
    shutil.rmtree(".github")
if "{{ cookiecutter.dockerfile }}" != "yes":
    Path("Dockerfile").unlink()
    Path(".dockerignore").unlink()
