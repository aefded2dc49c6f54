"""The install step `scaffold new` prints is the one the generated README documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import generate

PROJECTS = [
    pytest.param(["--framework", "pytorch"], id="pytorch"),
    pytest.param(["--framework", "tensorflow"], id="tensorflow"),
    *(
        pytest.param(["--framework", "keras", "--set", f"backend={b}"], id=f"keras-{b}")
        for b in ("tensorflow", "jax", "torch")
    ),
]


def normal(text: str) -> str:
    return text.replace('"', "'")


@pytest.mark.parametrize("args", PROJECTS)
def test_printed_install_step_is_in_the_readme(tmp_path: Path, args: list[str]) -> None:
    project, steps = generate(tmp_path, *args)
    install = next(step for step in steps if "pip install" in step)
    command = install.split(" && ", 2)[-1]  # after `python -m venv .venv && . .venv/bin/activate`
    assert command.startswith("pip install"), install
    readme = normal((project / "README.md").read_text(encoding="utf-8"))
    assert normal(command) in readme, f"{command!r} is not in the README's install section"
