"""Generation never loses data: bad input, faults and signals change nothing.

Every case in the table runs the real entry point and asserts the exit code, a one-line message that
names the problem, no traceback, the watched tree byte-for-byte unchanged, and no staging left over.
Signals go to a real `scaffold` process, paused at a known point by a hook or a slow rename.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click.testing
import pytest
from helpers import build_file_tree, fixture_template, tree_digest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scaffolder import generate as generate_module
from scaffolder.answers import JINJA_SYNTAX
from scaffolder.errors import InvalidNameError
from scaffolder.names import MAX_SLUG_LENGTH, SHADOWED, WINDOWS_RESERVED, resolve_names

SLUG = "fixture-project"  # what the fixture template's default project name slugifies to
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
FONT = b"\x00\x01\x00\x00\x00\x0c\x00\x80\x00\x03\x00\x40OS/2\x00\x00\x00\x00" + bytes(range(256))


# -- the world a case runs in ---------------------------------------------------------------------


@dataclass
class World:
    tmp: Path
    work: Path  # the working directory scaffold runs in: the watched tree
    templates: Path
    monkeypatch: pytest.MonkeyPatch
    marker: Path  # a Jinja payload would create this file if it ever ran

    @property
    def payload(self) -> str:
        return "{{ cycler.__init__.__globals__.os.popen('touch " + str(self.marker) + "').read() }}"


def staging_left(root: Path) -> list[Path]:
    return [p for p in root.rglob(".scaffold-*") if p.is_dir()]


@pytest.fixture
def world(tmp_path: Path, templates_root: Path, monkeypatch: pytest.MonkeyPatch, scaffold) -> World:
    fixture_template(templates_root)
    return World(tmp_path, Path.cwd(), templates_root, monkeypatch, tmp_path / "pwned-marker")


# -- set-ups the table refers to ------------------------------------------------------------------


def user_project(w: World, name: str = SLUG) -> Path:
    """An existing project directory with a user's own file and a file the template also writes."""
    return build_file_tree(
        w.work / name,
        {"notes.txt": "mine, not the template's\n", "README.md": "# my own readme\n"},
    )


def answers_file(name: str, content: str | bytes) -> Callable[[World], None]:
    def setup(w: World) -> None:
        path = w.tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("PAYLOAD", w.payload), encoding="utf-8")

    return setup


def hook_template(hook: str) -> Callable[[World], None]:
    """The fixture template with a hook that writes files (in and beside the project), then fails."""
    source = (
        "import pathlib, sys\n"
        "pathlib.Path('half-written.txt').write_text('x')\n"
        "pathlib.Path('../escaped.txt').write_text('x')\n"
        "sys.exit(1)\n"
    )

    def setup(w: World) -> None:
        shutil.rmtree(w.templates / "pytorch")
        fixture_template(w.templates, hooks={f"{hook}.py": source})

    return setup


def broken_template(kind: str) -> Callable[[World], None]:
    def setup(w: World) -> None:
        template = w.templates / "pytorch"
        if kind == "no-json":
            (template / "cookiecutter.json").unlink()
        elif kind == "bad-json":
            (template / "cookiecutter.json").write_text("{not json", encoding="utf-8")
        elif kind == "undefined":
            build_file_tree(template / "{{cookiecutter.project_slug}}", {"x.txt": "{{ nope.x }}"})
        elif kind == "missing-root":
            w.monkeypatch.setenv("SCAFFOLD_TEMPLATES", str(w.tmp / "no-such-templates"))

    return setup


def fail_rename(error: int, on_call: int = 1, exc: type[BaseException] | None = None):
    """Make the Nth os.rename scaffold's generate module makes fail (ENOSPC, EACCES, or raise exc)."""

    def setup(w: World) -> None:
        real = os.rename
        calls = {"n": 0}

        def rename(src, dst, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == on_call:
                if exc is not None:
                    raise exc()
                raise OSError(error, os.strerror(error), str(dst))
            return real(src, dst, *args, **kwargs)

        w.monkeypatch.setattr(generate_module.os, "rename", rename)

    return setup


def full_disk_while_rendering(w: World) -> None:
    import cookiecutter.generate

    def generate_file(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    w.monkeypatch.setattr(cookiecutter.generate, "generate_file", generate_file)


def read_only_output(w: World) -> None:
    out = w.work / "ro"
    out.mkdir()
    out.chmod(0o500)
    if os.geteuid() != 0:
        return

    # Root writes through mode 0o500: refuse what the kernel would refuse anyone else, every
    # directory made and every rename into `ro`.
    def refused(real: Callable, path_arg: int) -> Callable:
        def call(*args, **kwargs):
            if Path(os.fspath(args[path_arg])).resolve().is_relative_to(out.resolve()):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(args[path_arg]))
            return real(*args, **kwargs)

        return call

    w.monkeypatch.setattr(os, "mkdir", refused(os.mkdir, 0))
    for name in ("rename", "replace"):
        w.monkeypatch.setattr(os, name, refused(getattr(os, name), 1))


def a_file(name: str) -> Callable[[World], None]:
    def setup(w: World) -> None:
        (w.work / name).write_text("a user's file\n", encoding="utf-8")

    return setup


def symlinked_target(w: World) -> None:
    (w.tmp / "elsewhere").mkdir()
    (w.work / SLUG).symlink_to(w.tmp / "elsewhere")


def dir_where_template_writes_file(w: World) -> None:
    user_project(w)
    (w.work / SLUG / "README.md").unlink()
    build_file_tree(w.work / SLUG / "README.md", {"keep.txt": "a directory named like a file\n"})


def file_where_template_writes_dir(w: World) -> None:
    user_project(w)
    (w.work / SLUG / "src").write_text("a file named like the template's directory\n")


def interactive_terminal(w: World) -> None:
    """CliRunner's stdin claims to be a terminal, so `scaffold new` prompts."""
    w.monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True, False)


def combine(*setups: Callable[[World], None]) -> Callable[[World], None]:
    def setup(w: World) -> None:
        for s in setups:
            s(w)

    return setup


# -- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    phrase: str  # a key phrase of the message naming the problem
    setup: Callable[[World], None] | None = None
    input: str | None = None
    stream: str = "stderr"  # where the phrase appears ("stdout" for prompts and dry runs)


NEW = ("new", "--no-input", "--framework", "pytorch")


def named(name: str, *more: str) -> tuple[str, ...]:
    return (*NEW, "--set", f"project_name={name}", *more)


CASES = [
    # the target directory
    Case("target non-empty, no --force", NEW, 1, "already exists and is not empty", user_project),
    Case("target is a file", NEW, 1, "exists and is not a directory", a_file(SLUG)),
    Case("target is a symlink", NEW, 1, "exists and is not a directory", symlinked_target),
    Case(
        "--force: template file where user has dir",
        (*NEW, "--force"),
        1,
        "is a directory but the template writes a file",
        dir_where_template_writes_file,
    ),
    Case(
        "--force: template dir where user has file",
        (*NEW, "--force"),
        1,
        "is a file but the template writes a directory",
        file_where_template_writes_dir,
    ),
    Case(
        "--dry-run --force lists replacements",
        (*NEW, "--force", "--dry-run"),
        0,
        "Would replace 1 existing files:\n  ! README.md",
        user_project,
        stream="stdout",
    ),
    Case("--dry-run on non-empty target", (*NEW, "--dry-run"), 1, "not empty", user_project),
    # the output directory
    Case("-o is a file", (*NEW, "-o", "afile"), 2, "is a file", a_file("afile")),
    Case("-o under a file", (*NEW, "-o", "afile/sub"), 1, "is not a directory", a_file("afile")),
    Case("-o read-only", (*NEW, "-o", "ro"), 1, "permission denied", read_only_output),
    Case("full disk at the final move", NEW, 1, "no space left", fail_rename(errno.ENOSPC)),
    Case("full disk while rendering", NEW, 1, "no space left", full_disk_while_rendering),
    Case("permission denied at the move", NEW, 1, "permission denied", fail_rename(errno.EACCES)),
    Case(
        "--force: full disk mid-merge",
        (*NEW, "--force"),
        1,
        "no space left",
        combine(user_project, fail_rename(errno.ENOSPC, on_call=3)),
    ),
    Case(
        "--force: Ctrl-C mid-merge",
        (*NEW, "--force"),
        130,
        "interrupted; nothing was written",
        combine(user_project, fail_rename(0, on_call=2, exc=KeyboardInterrupt)),
    ),
    # names
    Case("name empty", named(""), 1, "project name is empty"),
    Case("name whitespace", named("   "), 1, "project name is empty"),
    Case("name ../evil", named("../evil"), 1, "contains a path separator"),
    Case("name /abs/path", named("/abs/path"), 1, "try 'abs path'"),
    Case("name a/b", named("a/b"), 1, "try 'a b'"),
    Case("name a\\b", named("a\\b"), 1, "contains a path separator"),
    Case("name with NUL", named("a\x00b"), 1, "contains control characters"),
    Case("name with ESC", named("a\x1b[2Jb"), 1, "contains control characters"),
    Case("name with newline", named("a\nb"), 1, "contains control characters"),
    Case("name with RTL override", named("evil\u202etxt"), 1, "contains control characters"),
    Case("name leading dash", named("-rf"), 1, "starts with '-'"),
    Case("name keyword class", named("class"), 1, "is a Python keyword; try 'class_project'"),
    Case("name soft keyword match", named("match"), 1, "is a Python keyword"),
    Case("name stdlib os", named("os"), 1, "shadow the standard-library module; try 'os_project'"),
    Case("name stdlib json", named("json"), 1, "shadow the standard-library module"),
    Case("name shadows torch", named("torch"), 1, "shadow the library of that name"),
    Case("name shadows numpy", named("NumPy"), 1, "shadow the library of that name"),
    Case("name shadows test", named("test"), 1, "try 'test_project'"),
    Case("name leading digit", named("3d model"), 1, "'3d_model' is not a valid Python identifier"),
    Case("name Windows CON", named("CON"), 1, "reserved on Windows; try 'con-project'"),
    Case("name Windows aux", named("aux"), 1, "reserved on Windows"),
    Case("name Windows nul", named("nul"), 1, "reserved on Windows"),
    Case("name Windows com1", named("Com1"), 1, "reserved on Windows"),
    Case("name too long", named("word " * 12), 1, f"at most {MAX_SLUG_LENGTH}"),
    Case("name no letters", named("!!! ..."), 1, "no letters or digits"),
    Case("name dots only", named(".."), 1, "no letters or digits"),
    Case("--set project_slug=../x", (*NEW, "--set", "project_slug=../x"), 1, "try 'x'"),
    Case("--set project_slug=Caps", (*NEW, "--set", "project_slug=Caps"), 1, "directory name"),
    Case(
        "--set package_name=Bad-Name",
        (*NEW, "--set", "package_name=Bad-Name"),
        1,
        "'Bad-Name' is not a valid Python identifier",
    ),
    Case("--set package_name=sys", (*NEW, "--set", "package_name=sys"), 1, "standard-library"),
    # variables and answers
    Case(
        "--set unknown key", (*NEW, "--set", "colour=red"), 1, "unknown template variable 'colour'"
    ),
    Case("--set outside choices", (*NEW, "--set", "license=GPL"), 1, "'GPL' is not allowed"),
    Case("--set without =", (*NEW, "--set", "project_name"), 1, "is not KEY=VALUE"),
    Case("--set bad key", (*NEW, "--set", "=x"), 1, "is not KEY=VALUE"),
    Case("-a unknown question", (*NEW, "-a", "colour=red"), 1, "unknown question 'colour'"),
    Case("--framework unknown", ("new", "--no-input", "--framework", "caffe"), 2, "'caffe'"),
    Case(
        "answers: bad YAML",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "invalid YAML at line",
        answers_file("a.yaml", "variables: {project_name: [unclosed\n"),
    ),
    Case(
        "answers: bad JSON",
        (*NEW, "--answers", "../a.json"),
        1,
        "invalid JSON at line 1",
        answers_file("a.json", '{"variables": '),
    ),
    Case(
        "answers: list for a string",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "must be a text value, not list",
        answers_file("a.yaml", "variables:\n  project_name: [a, b]\n"),
    ),
    Case(
        "answers: variables not a mapping",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "'variables' must be a mapping",
        answers_file("a.yaml", "variables: [project_name]\n"),
    ),
    Case(
        "answers: top level a list",
        (*NEW, "--answers", "../a.json"),
        1,
        "expected a mapping",
        answers_file("a.json", "[1, 2]"),
    ),
    Case(
        "answers: unknown top-level key",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "unknown key 'template'",
        answers_file("a.yaml", "template: pytorch\n"),
    ),
    Case(
        "answers: unknown framework",
        ("new", "--no-input", "--answers", "../a.yaml"),
        1,
        "'framework' is 'caffe'",
        answers_file("a.yaml", "framework: caffe\n"),
    ),
    Case(
        "answers: unknown variable",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "unknown template variable 'colour'",
        answers_file("a.yaml", "variables:\n  colour: red\n"),
    ),
    Case(
        "answers: not UTF-8",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "is not UTF-8 text",
        answers_file("a.yaml", b"variables:\n  project_name: caf\xe9\n"),
    ),
    Case("answers: missing file", (*NEW, "--answers", "../nope.yaml"), 1, "cannot read answers"),
    Case("answers: a directory", (*NEW, "--answers", ".."), 2, "is a directory"),
    # template injection: a payload that would `touch` the marker if it were ever rendered
    Case("Jinja via --set name", named("PAYLOAD"), 1, "contains template syntax"),
    Case(
        "Jinja via --set other",
        (*NEW, "--set", "description={% for x in range(3) %}x{% endfor %}"),
        1,
        "contains template syntax",
    ),
    Case("Jinja comment via --set", named("a {# b #}"), 1, "contains template syntax"),
    Case(
        "Jinja via answers file",
        (*NEW, "--answers", "../a.yaml"),
        1,
        "contains template syntax",
        answers_file("a.yaml", 'variables:\n  project_name: "PAYLOAD"\n'),
    ),
    Case(
        "Jinja via answers decision",
        (*NEW, "--answers", "../a.json"),
        1,
        "contains template syntax",
        answers_file("a.json", json.dumps({"decision": {"purpose": "PAYLOAD"}})),
    ),
    Case(
        "Jinja at the prompt",
        ("new", "--framework", "pytorch"),
        130,
        "contains template syntax",
        interactive_terminal,
        input="PAYLOAD\n",  # refused and asked again; then end of input (Ctrl-D)
        stream="stdout",
    ),
    # no terminal: the prompt is refused, not waited on
    Case("no terminal", ("new",), 2, "pass --no-input"),
    Case("no terminal, framework known", ("new", "--framework", "pytorch"), 2, "--answers FILE"),
    # the templates
    Case("templates dir missing", NEW, 1, "does not exist", broken_template("missing-root")),
    Case(
        "template has no cookiecutter.json", NEW, 1, "no template named", broken_template("no-json")
    ),
    Case("template cookiecutter.json broken", NEW, 1, "cannot read", broken_template("bad-json")),
    Case("template undefined variable", NEW, 1, "failed to render", broken_template("undefined")),
    Case("pre_gen hook fails", NEW, 1, "Hook script failed", hook_template("pre_gen_project")),
    Case("post_gen hook fails", NEW, 1, "Hook script failed", hook_template("post_gen_project")),
    Case(
        "--force: post_gen hook fails",
        (*NEW, "--force"),
        1,
        "Hook script failed",
        combine(user_project, hook_template("post_gen_project")),
    ),
]


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_or_fault_changes_nothing(case: Case, world: World, scaffold) -> None:
    if case.setup:
        case.setup(world)
    args = [a.replace("PAYLOAD", world.payload) for a in case.args]
    before = tree_digest(world.work)

    result = scaffold(
        *args, input=case.input.replace("PAYLOAD", world.payload) if case.input else None
    )

    assert result.exit_code == case.code
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    message = result.stderr.strip()
    assert message.startswith("scaffold:") or case.code == 0
    assert len(message.splitlines()) == (0 if case.code == 0 else 1), message
    assert case.phrase in (result.stdout if case.stream == "stdout" else result.stderr)
    assert not world.marker.exists(), "a template payload ran"
    assert tree_digest(world.work) == before
    assert staging_left(world.tmp) == []


# -- --force keeps the user's files ---------------------------------------------------------------


def test_force_replaces_template_files_and_keeps_user_files(world: World, scaffold) -> None:
    project = user_project(world)
    (project / "data").mkdir()
    (project / "data" / "big.bin").write_bytes(b"\x00" * 1000)

    dry = scaffold(*NEW, "--force", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.index("Would replace") < dry.stdout.index("  + ")  # replacements listed first
    assert "  ! README.md" in dry.stdout and "notes.txt" not in dry.stdout

    result = scaffold(*NEW, "--force")
    assert result.exit_code == 0, result.output
    assert (project / "notes.txt").read_text() == "mine, not the template's\n"
    assert (project / "data" / "big.bin").read_bytes() == b"\x00" * 1000
    assert (project / "README.md").read_text().startswith("# Fixture Project")
    assert (project / "src" / "fixture_project" / "__init__.py").is_file()
    assert staging_left(world.tmp) == []


# -- no terminal, for real: stdin is /dev/null, the command must answer at once -------------------


def scaffold_env(templates: Path, **extra: str) -> dict[str, str]:
    src = str(Path(generate_module.__file__).parents[1])
    pythonpath = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "SCAFFOLD_TEMPLATES": str(templates), "PYTHONPATH": pythonpath, **extra}


def test_no_terminal_in_a_real_process_fails_fast(world: World) -> None:
    before = tree_digest(world.tmp)
    proc = subprocess.run(
        [sys.executable, "-m", "scaffolder", "new"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=world.work,
        env=scaffold_env(world.templates),
    )
    assert proc.returncode == 2
    assert "--no-input" in proc.stderr and "--answers" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert tree_digest(world.tmp) == before


def test_jinja_payload_at_a_real_prompt_is_refused(world: World) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffolder", "new", "--framework", "pytorch"],
        cwd=str(world.work),
        env=scaffold_env(world.templates),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("(?i)project name")
    child.sendline(world.payload)
    child.expect("contains template syntax")
    child.expect("(?i)project name")
    child.sendintr()
    child.expect("interrupted; nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    assert not world.marker.exists()
    assert list(world.work.iterdir()) == []


# -- signals to a real process, paused at a known point -------------------------------------------

HOOK = """\
import os, pathlib, sys, time

point = os.environ.get("SCAFFOLD_TEST_PAUSE")
if point == "{point}":
    pathlib.Path("extra-before-pause.txt").write_text("x")
    pathlib.Path(os.environ["SCAFFOLD_TEST_MARKER"]).write_text(point)
    time.sleep(60)
    pathlib.Path("extra-after-pause.txt").write_text("x")
"""

# Pauses inside scaffold's final move (SIGINT and SIGTERM are held there), on the Nth rename.
SLOW_RENAME = """\
import os, pathlib, sys, time

real_rename = os.rename
calls = [0]

def rename(src, dst, *args, **kwargs):
    if ".scaffold-staging-" in str(src) + str(dst):
        calls[0] += 1
    if calls[0] == int(os.environ["SCAFFOLD_TEST_RENAME"]):
        calls[0] += 1000
        real_rename(src, dst, *args, **kwargs)
        pathlib.Path(os.environ["SCAFFOLD_TEST_MARKER"]).write_text("move")
        time.sleep(2)  # the signal arrives now, while it is held
        return None
    return real_rename(src, dst, *args, **kwargs)

os.rename = rename
from scaffolder.cli import run
sys.argv[0] = "scaffold"
run()
"""

POINTS = {
    "before rendering": "pre",  # pre_gen hook: nothing rendered yet
    "during rendering": "post",  # post_gen hook: files rendered in staging, hook half done
    "during the final move": "move",  # in the rename(s) that put files in place
}


def run_until_marker(w: World, args: list[str], env: dict[str, str], sig: int):
    """Start scaffold, wait for the marker, send `sig` to it (not to the hook), reap everything."""
    marker = w.tmp / "paused"
    env = {**env, "SCAFFOLD_TEST_MARKER": str(marker)}
    out, err = w.tmp / "stdout.txt", w.tmp / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            args,
            cwd=w.work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its hook can be reaped with the whole group afterwards
        )
        try:
            deadline = time.monotonic() + 20
            while not marker.exists():
                assert proc.poll() is None, f"scaffold exited early: {err.read_text()}"
                assert time.monotonic() < deadline, "scaffold never reached the pause point"
                time.sleep(0.02)
            os.kill(proc.pid, sig)
            code = proc.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # a hook still sleeping
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return code, out.read_text(), err.read_text()


@pytest.mark.parametrize("force", [False, True], ids=["new", "force-merge"])
@pytest.mark.parametrize("point", list(POINTS), ids=list(POINTS.values()))
@pytest.mark.parametrize(
    ("sig", "code", "phrase"),
    [
        (signal.SIGINT, 130, "interrupted; nothing was written"),
        (signal.SIGTERM, 143, "terminated; nothing was written"),
    ],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_at_any_point_leaves_target_untouched(
    world: World, sig: int, code: int, phrase: str, point: str, force: bool
) -> None:
    shutil.rmtree(world.templates / "pytorch")
    pause = POINTS[point]
    fixture_template(
        world.templates,
        hooks={
            "pre_gen_project.py": HOOK.replace("{point}", "pre"),
            "post_gen_project.py": HOOK.replace("{point}", "post"),
        },
    )
    if force:
        user_project(world)
    args = [*NEW, "-o", str(world.work)] + (["--force"] if force else [])
    env = scaffold_env(world.templates, SCAFFOLD_TEST_PAUSE=pause)
    if pause == "move":
        script = world.tmp / "slow_rename.py"
        script.write_text(SLOW_RENAME)
        # new: the one rename of the project; merge: the 2nd rename (README.md's backup is the 1st)
        env["SCAFFOLD_TEST_RENAME"] = "3" if force else "1"
        command = [sys.executable, str(script), *args]
    else:
        command = [sys.executable, "-m", "scaffolder", *args]
    target = world.work / SLUG
    before = tree_digest(target)

    exit_code, stdout, stderr = run_until_marker(world, command, env, sig)

    assert exit_code == code, stderr
    assert phrase in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stdout + stderr
    assert tree_digest(target) == before
    assert sorted(p.name for p in world.work.iterdir()) == ([SLUG] if force else [])
    assert staging_left(world.tmp) == []


# -- files come out exactly as the template has them ----------------------------------------------

FILES = {
    "logo.png": PNG,
    "fonts": {"Mono.ttf": FONT},
    "crlf.txt": "line one\r\nline two {{ cookiecutter.license }}\r\n",
    "lf.txt": "line one\nline two {{ cookiecutter.license }}\n",
    "no-final-newline.txt": "only {{ cookiecutter.license }}",
    "unicode.md": "# {{ cookiecutter.project_name }}\n\nÜbersicht: naïve café, 数据, Δ → ✓\n",
}


def test_files_are_copied_byte_for_byte_under_the_c_locale(world: World) -> None:
    shutil.rmtree(world.templates / "pytorch")
    fixture_template(world.templates, files=FILES)
    env = scaffold_env(world.templates, LC_ALL="C", LANG="C")
    for variable in ("PYTHONUTF8", "PYTHONIOENCODING", "LC_CTYPE", "PYTHONCOERCECLOCALE"):
        env.pop(variable, None)
    name = "Café Δ 数据"
    proc = subprocess.run(
        [sys.executable, "-m", "scaffolder", *NEW, "--set", f"project_name={name}"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        cwd=world.work,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    project = world.work / resolve_names(name).project_slug
    assert (project / "logo.png").read_bytes() == PNG
    assert (project / "fonts" / "Mono.ttf").read_bytes() == FONT
    assert (project / "crlf.txt").read_bytes() == b"line one\r\nline two MIT\r\n"
    assert (project / "lf.txt").read_bytes() == b"line one\nline two MIT\n"
    assert (project / "no-final-newline.txt").read_bytes() == b"only MIT"
    expected = f"# {name}\n\nÜbersicht: naïve café, 数据, Δ → ✓\n"
    assert (project / "unicode.md").read_bytes() == expected.encode("utf-8")
    record = json.loads((project / ".scaffold.json").read_bytes().decode("utf-8"))
    assert record["context"]["cookiecutter"]["project_name"] == name


# -- any project name: valid names bake, anything else is one clear error -------------------------


def valid_names(names) -> None:
    assert names.package_name.isidentifier()
    assert names.package_name not in sys.stdlib_module_names
    assert names.package_name not in SHADOWED | WINDOWS_RESERVED
    import keyword

    assert not keyword.iskeyword(names.package_name)
    assert not keyword.issoftkeyword(names.package_name)
    assert len(names.project_slug) <= MAX_SLUG_LENGTH
    import re

    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", names.project_slug)


NAMES = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"[A-Za-z\u00c0-\u024f\u4e00-\u4e20][\w .'()-]{0,58}", fullmatch=True),
    st.text(alphabet="aZ09 -_./\\{}%#é数Δ\x00\t", max_size=60),
    st.sampled_from(["class", "os", "torch", "CON", "3d model", "a/b", "{{ x }}", "-x", "Ünïcödé"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=NAMES)
def test_any_project_name_bakes_or_is_refused_clearly(world: World, scaffold, name: str) -> None:
    out = world.tmp / f"out-{time.monotonic_ns()}"
    try:
        names = resolve_names(name)
    except InvalidNameError as exc:
        names, refusal = None, str(exc)
        assert refusal and "\n" not in refusal.replace(repr(name), "")
    result = scaffold(*named(name, "-o", str(out)))
    assert "Traceback" not in result.output
    assert "internal error" not in result.stderr
    event("baked" if result.exit_code == 0 else "refused")
    if result.exit_code == 0:
        assert names is not None
        valid_names(names)
        assert (out / names.project_slug / ".scaffold.json").is_file()
        assert sorted(p.name for p in out.iterdir()) == [names.project_slug]
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("scaffold: ")
        assert names is None or JINJA_SYNTAX.search(name)
        assert not out.exists()
    assert staging_left(world.tmp) == []
