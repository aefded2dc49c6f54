"""Generation section: `scaffold` against `cookiecutter`, and where scaffold's start-up goes."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from measure import BIN, HELP_TARGET, NEW_TARGET, TEMPLATES, Pair, interleave, log, run_timed

# -- generation ----------------------------------------------------------------------------------


def generation_env() -> dict[str, str]:
    return {**os.environ, "SCAFFOLD_ACCELERATOR": "cpu"}  # no GPU probing: same answer everywhere


def timed_into_fresh_dir(command: Callable[[Path], list[str | Path]]) -> Callable[[], float]:
    """A measurement that renders into a new empty directory, deleted afterwards (not timed)."""

    def measure() -> float:
        out = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
        try:
            return run_timed(command(out), env=generation_env())[0]
        finally:
            shutil.rmtree(out, ignore_errors=True)

    return measure


def generation_cases() -> list[tuple[str, Callable[[Path], list], Callable[[Path], list], float]]:
    scaffold, cookiecutter = BIN / "scaffold", BIN / "cookiecutter"
    cases: list[tuple[str, Callable[[Path], list], Callable[[Path], list], float]] = [
        ("--help", lambda _: [scaffold, "--help"], lambda _: [cookiecutter, "--help"], HELP_TARGET)
    ]
    for fw in ("pytorch", "tensorflow", "keras"):
        cases.append(
            (
                f"new {fw}",
                lambda out, fw=fw: [scaffold, "new", "--no-input", "--framework", fw, "-o", out],
                lambda out, fw=fw: [cookiecutter, "--no-input", TEMPLATES / fw, "-o", out],
                NEW_TARGET,
            )
        )
    return cases


def measure_generation(runs: int, warmup: bool = True) -> list[Pair]:
    """`scaffold` against `cookiecutter` on --help and on rendering each template."""
    pairs = []
    for name, scaffold_cmd, cookiecutter_cmd, target in generation_cases():
        log(f"generation: {name} ({runs} runs each, interleaved)")
        pair = Pair(name, target=target)
        interleave(
            timed_into_fresh_dir(scaffold_cmd),
            timed_into_fresh_dir(cookiecutter_cmd),
            runs,
            pair,
            warmup,
        )
        pairs.append(pair)
    return pairs


@dataclass
class ImportLine:
    """One line of `python -X importtime`: microseconds in the module alone and with its imports."""

    self_us: int
    cumulative_us: int
    depth: int
    name: str


def parse_importtime(stderr: str) -> list[ImportLine]:
    lines = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S.*)$", line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            lines.append(ImportLine(int(self_us), int(cumulative_us), len(indent) // 2, name))
    return lines


def slowest_imports(lines: Sequence[ImportLine], top: int = 6) -> str:
    """The slowest top-level imports, cumulative (`site` and the codecs left out)."""
    skip = {"site", "encodings", "_frozen_importlib_external"}
    roots = sorted(
        (x for x in lines if x.depth == 0 and x.name not in skip),
        key=lambda x: x.cumulative_us,
        reverse=True,
    )
    return ", ".join(f"{x.name} {x.cumulative_us / 1000:.0f} ms" for x in roots[:top])


def imported_via(lines: Sequence[ImportLine], module: str) -> str | None:
    """'tensorflow 2961 ms, via torch.utils.tensorboard' when `module` was imported, else None.

    importtime prints a module after everything it imports: the first top-level line after the
    module's own line is the import that pulled it in."""
    for i, line in enumerate(lines):
        if line.name == module:
            root = next((x.name for x in lines[i:] if x.depth == 0), module)
            via = f", via {root}" if root != module else ""
            return f"{module} {line.cumulative_us / 1000:.0f} ms{via}"
    return None


def import_profile(command: Callable[[Path], list]) -> str:
    """Where a scaffold command's start-up goes, run as `python -X importtime -m scaffolder`."""
    out = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
    try:
        args = [str(a) for a in command(out)[1:]]
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "scaffolder", *args],
            env=generation_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    lines = parse_importtime(proc.stderr)
    own_ms = sum(x.self_us for x in lines if x.name.split(".")[0] == "scaffolder") / 1000
    return (
        f"scaffolder's own modules {own_ms:.0f} ms (self time); slowest: {slowest_imports(lines)}"
    )


def profile_generation() -> dict[str, str]:
    """Where scaffold's start-up time goes in each case (read it where a target is missed)."""
    return {name: import_profile(scaffold_cmd) for name, scaffold_cmd, _, _ in generation_cases()}
