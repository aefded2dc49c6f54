"""The harness's installs are honest (a project sees only what it declares), and the shared ones
are made once each, at most one module ahead."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import harness
import installs as installs_module
import pytest
from harness import ProjectEnv
from installs import SharedInstalls, install_from_steps

STEP = "python -m venv .venv && . .venv/bin/activate && pip install -e ."


def fixture_project(root: Path, dependencies: list[str]) -> Path:
    """A one-module project that imports PyYAML, which the test environment has installed."""
    project = root / "probe"
    (project / "src" / "probe").mkdir(parents=True)
    (project / "src" / "probe" / "__init__.py").write_text(
        "import yaml\n\nVERSION = yaml.__version__\n", encoding="utf-8"
    )
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [build-system]
            requires = ["setuptools>=77"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "probe"
            version = "0"
            dependencies = [{deps}]
            """
        ),
        encoding="utf-8",
    )
    return project


def test_an_undeclared_dependency_fails_to_import(tmp_path: Path) -> None:
    env = install_from_steps(fixture_project(tmp_path, []), [STEP])
    result = env.run("python", "-c", "import probe", check=False)
    assert result.returncode != 0
    assert "No module named 'yaml'" in result.stderr


def test_a_declared_dependency_is_installed(tmp_path: Path) -> None:
    env = install_from_steps(fixture_project(tmp_path, ["pyyaml"]), [STEP])
    env.run("python", "-c", "import probe; print(probe.VERSION)")


class FakeInstalls:
    """`install_generated` as the shared installs call it, recording which projects it made."""

    def __init__(self) -> None:
        self.made: list[tuple[str, ...]] = []
        self.changed = threading.Condition()

    def __call__(self, output_dir: Path, *args: str) -> ProjectEnv:
        (output_dir / "project" / ".venv").mkdir(parents=True)
        with self.changed:
            self.made.append(args)
            self.changed.notify_all()
        return ProjectEnv(root=output_dir / "project", venv=output_dir / "project" / ".venv")

    def wait_for(self, count: int) -> list[tuple[str, ...]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.made) >= count, timeout=10), self.made
            return list(self.made)


def test_shared_installs_prefetch_one_module_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeInstalls()
    monkeypatch.setattr(installs_module, "install_generated", fake)
    installs = SharedInstalls(tmp_path / "shared")
    order = [("--framework", name) for name in ("a", "b", "c")]
    installs.prefetch([(args,) for args in order])
    try:
        assert fake.wait_for(1) == order[:1]  # the first module's project, before it asks
        first = installs.get(*order[0])
        assert fake.wait_for(2) == order[:2]  # then the next one, while the first module runs
        assert installs.get(*order[1]).root != first.root
        assert fake.wait_for(3) == order  # each made once: `get` took the prefetched ones
        installs.get(*order[2])
    finally:
        installs.stop()
    assert fake.made == order


def test_shared_installs_stay_within_one_module_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeInstalls()
    monkeypatch.setattr(installs_module, "install_generated", fake)
    installs = SharedInstalls(tmp_path / "shared")
    installs.prefetch([(("--framework", name),) for name in ("a", "b", "c")])
    fake.wait_for(1)
    installs.stop()  # no module asked for "a": nothing past it is made
    assert fake.made == [("--framework", "a")]


def test_a_module_s_installs_are_made_before_it_asks_and_released_after_the_last_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two modules share a base install and each has its own; asking for the shared one does
    not count as reaching the later module, and it is released only after the later one."""
    fake = FakeInstalls()
    monkeypatch.setattr(installs_module, "install_generated", fake)
    discarded: list[Path] = []
    installs = SharedInstalls(tmp_path / "shared", discarded.append)
    base, first, second, third = (("--framework", name) for name in ("base", "1", "2", "3"))
    installs.prefetch([(base, first), (base, second), (third,)])
    try:
        assert fake.wait_for(2) == [base, first]  # the whole first module, before it asks
        shared = installs.get(*base)
        own = installs.get(*first)
        assert fake.wait_for(3) == [base, first, second]
        installs.finished(0)
        assert discarded == [own.venv]  # the base stays for the second module
        assert installs.get(*base) is shared
        second_env = installs.get(*second)
        assert fake.wait_for(4) == [base, first, second, third]
        installs.finished(1)
        assert discarded == [own.venv, shared.venv, second_env.venv]
    finally:
        installs.stop()
    assert len(fake.made) == 4  # nothing made twice


def test_the_learned_line_names_each_held_out_score_first_and_last_and_the_baselines(
    tmp_path: Path,
) -> None:
    run = tmp_path / "runs" / "r"
    run.mkdir(parents=True)
    (run / "metrics.csv").write_text(
        "epoch,train_loss,val_loss,val_recall@10\n1,3.0,2.5,0.1\n2,2.0,1.5,0.25\n3,1.0,0.5,0.5\n",
        encoding="utf-8",
    )
    project = ProjectEnv(root=tmp_path, venv=tmp_path / ".venv")
    result = {"run_dir": "runs/r", "baselines": {"popularity": {"recall@10": 0.125, "n": "x"}}}
    assert harness.learned(project, "fw task", result) == (
        "fw task, 3 epochs: val_loss 2.5 -> 0.5; val_recall@10 0.1 -> 0.5; "
        "popularity baseline recall@10 0.125"
    )
