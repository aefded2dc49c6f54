"""Untrusted team templates run nothing and write nowhere else, whatever command reads them.

Every hostile template in the table goes through a real `scaffold` process six ways: `new`,
`new --dry-run`, `questions`, and `check`, `update --dry-run` and `update` of a committed project
whose `.scaffold.json` names it as its template; once from a path and once from a `file://` git
URL. Each run asserts its exit code, no traceback, a one-line message when it fails, no marker file
(every payload creates one if it runs), the watched file and directory beside the project unchanged
by hash, the template unchanged, the system temporary directory left empty, and nothing written by a
dry run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import GIT_IDENTITY, fixture_template, git, scaffold_command, tree_digest

SLUG = "fixture-project"
MARKER_ENV = "HOSTILE_MARKER"
TOUCH = 'touch "$' + MARKER_ENV + '"'  # no '/' in it, so it fits in a file name too
PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('" + TOUCH + "').read() }}"
PAYLOADS = {
    "cycler": PAYLOAD,
    "lipsum": "{{ lipsum.__globals__['os'].popen('" + TOUCH + "').read() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "self": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('"
    + TOUCH
    + "').read() }}",
    "namespace": "{{ namespace.__init__.__globals__['os'].popen('" + TOUCH + "').read() }}",
    "joiner-format": "{{ '{0.__init__.__globals__}'.format(joiner) }}",
}
MODULE = "import os\nopen(os.environ['" + MARKER_ENV + "'], 'w').close()\n"
PROJECT = "{{cookiecutter.project_slug}}"


@dataclass
class World:
    tmp: Path
    env: dict[str, str]
    marker: Path
    watched: Path  # a private file beside the project: payloads try to read or overwrite it
    watched_dir: Path
    systmp: Path  # TMPDIR of every run: must stay empty

    def digest(self) -> tuple[bytes, int, str]:
        info = self.watched.lstat()
        return self.watched.read_bytes(), info.st_mode, tree_digest(self.watched_dir)


@pytest.fixture
def world(tmp_path: Path) -> World:
    watched = tmp_path / "id_rsa"
    watched.write_text("-----BEGIN PRIVATE KEY-----\nsecret\n", encoding="utf-8")
    watched_dir = tmp_path / "watched"
    (watched_dir / "sub").mkdir(parents=True)
    (watched_dir / "sub" / "data.txt").write_text("keep me\n", encoding="utf-8")
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCAFFOLD_")},
        **GIT_IDENTITY,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "TMPDIR": str(systmp),
        "SCAFFOLD_ACCELERATOR": "cpu",
        MARKER_ENV: str(tmp_path / "MARKER"),
    }
    return World(tmp_path, env, tmp_path / "MARKER", watched, watched_dir, systmp)


# -- hostile templates ----------------------------------------------------------------------------

Build = Callable[[Path, World], None]


def body(text: str, name: str = "README.md") -> Build:
    def build(t: Path, w: World) -> None:
        (t / PROJECT / name).write_text(text, encoding="utf-8")

    return build


def config(**changes: object) -> Build:
    def build(t: Path, w: World) -> None:
        data = json.loads((t / "cookiecutter.json").read_text(encoding="utf-8"))
        data.update(changes)
        (t / "cookiecutter.json").write_text(json.dumps(data), encoding="utf-8")

    return build


def without(key: str) -> Build:
    def build(t: Path, w: World) -> None:
        data = json.loads((t / "cookiecutter.json").read_text(encoding="utf-8"))
        del data[key]
        (t / "cookiecutter.json").write_text(json.dumps(data), encoding="utf-8")

    return build


def raw_config(text: str) -> Build:
    def build(t: Path, w: World) -> None:
        (t / "cookiecutter.json").write_text(text, encoding="utf-8")

    return build


def files(spec: dict[str, str], formatted: bool = False) -> Build:
    """Files relative to the template root; with `formatted`, `{watched}` names the watched file."""

    def build(t: Path, w: World) -> None:
        for rel, text in spec.items():
            path = t / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(watched=w.watched) if formatted else text, encoding="utf-8")

    return build


def link(rel: str, target: Callable[[World], str]) -> Build:
    def build(t: Path, w: World) -> None:
        path = t / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.symlink_to(target(w))

    return build


def fifo(rel: str) -> Build:
    def build(t: Path, w: World) -> None:
        os.mkfifo(t / rel)

    return build


def both(*builds: Build) -> Build:
    def build(t: Path, w: World) -> None:
        for b in builds:
            b(t, w)

    return build


def renamed(old: str, new: str) -> Build:
    def build(t: Path, w: World) -> None:
        (t / old).rename(t / new)

    return build


def absolute_name(t: Path, w: World) -> None:
    config(absolute=str(w.watched))(t, w)
    (t / PROJECT / "{{cookiecutter.absolute}}").write_text("overwritten\n", encoding="utf-8")


def rel_to_watched(w: World) -> str:
    return os.path.relpath(w.watched, w.tmp / "src" / PROJECT)


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    code: int  # the exit code of new, new --dry-run, update --dry-run and update
    phrase: str = ""  # in the message of a refusal
    codes: dict[str, int] = field(default_factory=dict)  # per command, where it differs
    git_can_hold: bool = True  # a FIFO cannot be committed


REFUSED_CODE = "runs code"
SANDBOX = "refused by the sandbox"
CASES = [
    # Jinja that would run code, in file bodies, names and cookiecutter.json
    *[Case(f"body: {k}", body(p), 1, SANDBOX) for k, p in PAYLOADS.items()],
    Case(
        "body: in an include",
        both(body("{% include 'part.txt' %}"), body(PAYLOAD, "part.txt")),
        1,
        SANDBOX,
    ),
    Case(
        "body: in a macro",
        body("{% macro m() %}" + PAYLOAD + "{% endmacro %}{{ m() }}"),
        1,
        SANDBOX,
    ),
    Case("file name", files({f"{PROJECT}/{PAYLOAD}.txt": "x"}), 1, SANDBOX),
    Case("directory name", files({f"{PROJECT}/{PAYLOAD}/x.txt": "x"}), 1, SANDBOX),
    Case("project directory name", renamed(PROJECT, PROJECT + PAYLOAD), 1, SANDBOX),
    Case("cookiecutter.json default", config(description=PAYLOAD), 1, SANDBOX),
    # scaffold renders a project_name default that refers to earlier answers itself, to name the
    # project before the render: in the sandbox too. `update` renders no default: the recorded
    # name answers it.
    Case(
        "cookiecutter.json project_name default",
        config(project_name=PAYLOAD),
        1,
        SANDBOX,
        codes={"update --dry-run": 0, "update": 0},
    ),
    Case("cookiecutter.json private __ default", config(__secret=PAYLOAD), 1, SANDBOX),
    Case("cookiecutter.json choice", config(flavour=[PAYLOAD, "plain"]), 1, SANDBOX),
    Case("cookiecutter.json nested default", config(__meta={"a": [PAYLOAD]}), 1, SANDBOX),
    Case(
        "cookiecutter.json __prompts__", config(__prompts__={"project_name": PAYLOAD}), 1, SANDBOX
    ),
    Case(
        "_jinja2_env_vars extension",
        both(
            config(_jinja2_env_vars={"extensions": ["local_ext.Ext"]}),
            files({"local_ext.py": MODULE}),
        ),
        0,
    ),
    # modules at the template root, named like libraries Cookiecutter and Jinja import lazily
    Case(
        "modules shadowing libraries",
        files(
            {
                f"{name}.py": MODULE
                for name in (
                    "jinja2_time",
                    "arrow",
                    "binaryornot",
                    "slugify",
                    "rich",
                    "sitecustomize",
                    "yaml",
                    "markupsafe",
                    "unidecode",
                    "text_unidecode",
                    "chardet",
                    "winreg",
                )
            }
        ),
        0,
    ),
    # code that only --trust may run
    Case("pre_gen hook", files({"hooks/pre_gen_project.py": MODULE}), 1, REFUSED_CODE),
    Case("pre_prompt hook", files({"hooks/pre_prompt.py": MODULE}), 1, REFUSED_CODE),
    Case(
        "post_gen shell hook",
        files({"hooks/post_gen_project.sh": "#!/bin/sh\n" + TOUCH + "\n"}),
        1,
        REFUSED_CODE,
    ),
    Case(
        "_extensions",
        both(config(_extensions=["local_ext.Ext"]), files({"local_ext.py": MODULE})),
        1,
        REFUSED_CODE,
    ),
    Case(
        "nested template with hooks",
        both(
            config(templates={"x": {"path": "./sub", "title": "x"}}),
            files({"sub/cookiecutter.json": "{}", "sub/hooks/pre_gen_project.py": MODULE}),
        ),
        1,
        REFUSED_CODE,
    ),
    # reading or writing outside the project
    Case(
        "name renders to ../",
        both(
            config(escape="../../../id_rsa"),
            files({f"{PROJECT}/{{{{cookiecutter.escape}}}}": "overwritten\n"}),
        ),
        1,
        "not one file name",
    ),
    Case("name renders to an absolute path", absolute_name, 1, "not one file name"),
    Case(
        "directory renders to ..",
        files({f"{PROJECT}/{{{{ '..' }}}}/id_rsa": "overwritten\n"}),
        1,
        "not one file name",
    ),
    Case("include ../", body("{% include '../../id_rsa' %}"), 1, "includes"),
    Case(
        "include an absolute path",
        files({f"{PROJECT}/README.md": "{{% include '{watched}' %}}"}, formatted=True),
        1,
        "includes",
    ),
    Case(
        "templates dir is a link outside",
        both(body("{% include 'sub/data.txt' %}"), link("templates", lambda w: str(w.watched_dir))),
        1,
        "includes",
    ),
    Case(
        "link to a private key",
        link(f"{PROJECT}/key.txt", lambda w: str(w.watched)),
        1,
        "symbolic link",
    ),
    Case("relative link outside", link(f"{PROJECT}/key.txt", rel_to_watched), 1, "symbolic link"),
    Case(
        "link to a directory outside",
        link(f"{PROJECT}/src", lambda w: str(w.watched_dir)),
        1,
        "symbolic link",
    ),
    Case(
        "link to /dev/zero", link(f"{PROJECT}/zero.bin", lambda w: "/dev/zero"), 1, "symbolic link"
    ),
    Case(
        "project directory is a link",
        link(PROJECT, lambda w: str(w.watched_dir)),
        1,
        "project directory",
    ),
    Case(
        "cookiecutter.json is a link to a key",
        link("cookiecutter.json", lambda w: str(w.watched)),
        1,
        "is a link",
        codes={"questions": 1, "check": 1},
    ),
    Case("FIFO in the template", fifo(f"{PROJECT}/pipe"), 1, "FIFO", git_can_hold=False),
    Case(
        "link to a FIFO",
        both(fifo("pipe"), link(f"{PROJECT}/pipe.txt", lambda w: "../pipe")),
        1,
        "symbolic link",
        git_can_hold=False,
    ),
    Case("link to / beside the project", link("root", lambda w: "/"), 0),
    Case("link loop in the project", link(f"{PROJECT}/loop", lambda w: "."), 1, "symbolic link"),
    Case("escape sequences in a file name", files({f"{PROJECT}/\x1b[2Jx.txt": "x"}), 0),
    Case("escape sequences in next steps", config(__next_install="\x1b]0;owned\x07pip"), 0),
    # size
    Case("huge repetition", body("{{ 'x' * 100000000 }}"), 1, "too large"),
    Case(
        "endless output",
        body(
            "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
        ),
        1,
        "MiB",
    ),
    Case("huge power", body("{{ 10 ** 100000000 }}"), 1, "too large"),
    # broken templates: one clear line each
    Case("syntax error", body("line one\n{% if %}\n"), 1, "line 2"),
    Case("division by zero", body("{{ 1/0 }}"), 1, "ZeroDivisionError"),
    Case("missing include", body("{% include 'nowhere.txt' %}"), 1, "includes 'nowhere.txt'"),
    Case("undefined variable", body("{{ cookiecutter.nope }}"), 1, "nope"),
    Case(
        "endless recursion",
        body("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"),
        1,
        "without end",
    ),
    Case(
        "no project_name",
        without("project_name"),
        1,
        "no project_name",
        codes={"questions": 0, "check": 0},
    ),
    Case(
        "deeply nested cookiecutter.json",
        raw_config("[" * 100_000 + "]" * 100_000),
        1,
        "nested too deeply",
        codes={"questions": 1, "check": 1},
    ),
    Case(
        "5 MB project name default",
        config(project_name="A" * 5_000_000),
        1,
        "characters",
        codes={"questions": 0, "check": 0, "update --dry-run": 0, "update": 0},
    ),
    Case(
        "escape sequences in the version",
        config(_template_version="\x1b]0;owned\x07\x1b[2J9"),
        0,
        codes={"check": 1},
    ),
]


def test_table_covers_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


# -- running a case -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project generated from a harmless team template and committed: each case copies it and
    points its record at the hostile template."""
    root = tmp_path_factory.mktemp("base")
    template = fixture_template(root / "team", "team")
    out = root / "projects"
    result = subprocess.run(
        [*scaffold_command(), "new", "--no-input", "--template", str(template), "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(root), "SCAFFOLD_ACCELERATOR": "cpu"},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    project = out / SLUG
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def hostile_template(case: Case, w: World, as_url: bool) -> str:
    template = fixture_template(w.tmp / "src", "team")
    case.build(template, w)
    if not as_url:
        return str(template)
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "hostile")
    return f"file://{template}"


def project_using(base: Path, source: str, w: World) -> Path:
    project = w.tmp / "project"
    shutil.copytree(base, project, symlinks=True)
    record_path = project / ".scaffold.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["template_source"] = source
    record_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    git(project, "commit", "-qam", "use the team template")
    return project


def run(w: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*scaffold_command(), *args],
        capture_output=True,
        text=True,
        env=w.env,
        cwd=w.tmp,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def commands(source: str, project: Path, out: Path) -> dict[str, list[str]]:
    new = ["new", "--no-input", "--template", source, "-o", str(out)]
    return {
        "new --dry-run": [*new, "--dry-run"],
        "new": new,
        "questions": ["questions", "--template", source],
        "check": ["check", str(project)],
        "update --dry-run": ["update", "--dry-run", str(project)],
        "update": ["update", str(project)],
    }


# A FIFO cannot be committed to git: those cases run from a path only.
SOURCES = [
    pytest.param(case, as_url, id=f"{case.id}-{'git-url' if as_url else 'path'}")
    for case in CASES
    for as_url in (False, True)
    if case.git_can_hold or not as_url
]


@pytest.mark.parametrize(("case", "as_url"), SOURCES)
def test_hostile_template_runs_nothing_and_writes_nowhere_else(
    case: Case, as_url: bool, world: World, base_project: Path
) -> None:
    source = hostile_template(case, world, as_url)
    project = project_using(base_project, source, world)
    out = world.tmp / "out"
    watched = world.digest()
    template = tree_digest(world.tmp / "src")
    for name, args in commands(source, project, out).items():
        before = tree_digest(project, skip=(".git",))
        result = run(world, *args)
        output = result.stdout + result.stderr
        shown = f"{name}: exit {result.returncode}\n{output[:3000]}"
        expected = case.codes.get(name, case.code if name != "questions" else 0)
        if name == "check":
            expected = case.codes.get(name, 0)
        assert result.returncode == expected, shown
        assert "Traceback" not in output and "internal error" not in output, shown
        assert "\x1b" not in output, shown
        if result.stderr:
            assert result.stderr.startswith("scaffold: ") and result.stderr.count("\n") == 1, shown
            assert len(result.stderr) < 1000, shown
        if result.returncode and name != "check":  # check says "needs attention" on stdout
            assert result.stderr and case.phrase in result.stderr, shown
        assert not world.marker.exists(), f"{name}: a payload ran"
        assert world.digest() == watched, f"{name}: the watched file or directory changed"
        assert tree_digest(world.tmp / "src") == template, f"{name}: the template changed"
        assert list(world.systmp.iterdir()) == [], f"{name}: left files in the temp directory"
        if name.endswith("--dry-run") or result.returncode:
            assert tree_digest(project, skip=(".git",)) == before, f"{name} changed the project"
        if name == "new --dry-run" or (name == "new" and result.returncode):
            assert not out.exists(), f"{name} wrote {out}"
        if name == "new" and result.returncode == 0:
            assert all(not p.is_symlink() for p in out.rglob("*"))
