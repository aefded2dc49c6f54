"""The command line as a user meets it: every mistake is one line on stderr and a non-zero exit."""

import os
import subprocess
import sys

import pytest

from .cases import CLI_MISTAKES

# (arguments, exit code, text the one line must hold). Config mistakes fail before TensorFlow loads.
MISTAKES = [
    (["train", "--set", "trainer.lr=-1"], 2, "trainer.lr must be > 0"),
{% if cookiecutter.task == "recommendation" %}
    (["train", "--set", "data.batch_size=0"], 2, "data.batch_size must be >= 2"),
{% else %}
    (["train", "--set", "data.batch_size=0"], 2, "data.batch_size must be >= 1"),
{% endif %}
    (["train", "--set", "trainer.epochs=true"], 2, "trainer.epochs must be int"),
    (["train", "--set", "trainer.epochs=0"], 2, "trainer.epochs must be >= 1"),
    (["train", "--set", "data.val_fraction=1.0"], 2, "data.val_fraction must be"),
{% if cookiecutter.task == "recommendation" %}
    (["train", "--set", "model.temperature=0"], 2, "model.temperature must be"),
{% elif cookiecutter.task == "generative" %}
    (["train", "--set", "model.beta=-1"], 2, "model.beta must be"),
{% else %}
    (["train", "--set", "model.dropout=1.5"], 2, "model.dropout must be"),
{% endif %}
    (["train", "--set", "trainer.keep_last=0"], 2, "trainer.keep_last must be >= 1"),
    (["train", "--set", "trainer.runs_dir="], 2, "trainer.runs_dir may not be empty"),
    (["train", "--set", "distribute.strategy=multi_worker"], 2, "needs the TF_CONFIG"),
    (["train", "--resume"], 1, "no run under"),
    (["evaluate"], 1, "no run under"),
    (["export"], 1, "no run under"),
{% if cookiecutter.task == "generative" %}
    (["predict", "--out", "x"], 1, "no run under"),
{% else %}
    (["predict", "x"], 1, "no run under"),
{% endif %}
    *CLI_MISTAKES,
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[subprocess.CompletedProcess]:
    """Every mistake run at once, each in its own process in an empty folder (no runs yet)."""
    cwd = tmp_path_factory.mktemp("empty")
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "{{ cookiecutter.package_name }}", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args, _, _ in MISTAKES
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


@pytest.mark.parametrize("index", range(len(MISTAKES)), ids=[" ".join(m[0]) for m in MISTAKES])
def test_mistake_is_one_line(outcomes, index):
    _, code, text = MISTAKES[index]
    result = outcomes[index]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and text in lines[0], result.stderr
    assert lines[0].startswith("{{ cookiecutter.project_slug }}: ")
    assert result.stdout == ""
