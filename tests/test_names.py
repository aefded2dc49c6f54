"""Every naming rule: what it refuses, and the suggestion its message makes (itself a valid name)."""

from __future__ import annotations

import keyword
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffolder.errors import InvalidNameError, ScaffoldError
from scaffolder.names import (
    MAX_SLUG_LENGTH,
    SHADOWED,
    WINDOWS_RESERVED,
    ProjectNames,
    check_package,
    check_project_name,
    check_slug,
    derive,
    resolve_names,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def refusal(*args: str | None) -> str:
    with pytest.raises(InvalidNameError) as info:
        resolve_names(*args)
    message = info.value.message
    assert "\n" not in message
    return message


def suggested(message: str) -> str:
    """The name after "try" in a message."""
    match = re.search(r"try '([^']*)'", message)
    assert match, message
    return match.group(1)


def assert_valid(names: ProjectNames) -> None:
    assert SLUG.fullmatch(names.project_slug) and len(names.project_slug) <= MAX_SLUG_LENGTH
    package = names.package_name
    assert package.isidentifier() and package == package.lower()
    assert not keyword.iskeyword(package) and not keyword.issoftkeyword(package)
    assert package not in sys.stdlib_module_names | SHADOWED | WINDOWS_RESERVED


# -- derivation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Image Classifier", "image-classifier", "image_classifier"),
        ("  Speech   Tagger  ", "speech-tagger", "speech_tagger"),
        ("Café Δ 数据", "cafe-d-shu-ju", "cafe_d_shu_ju"),
        ("GPT-2 fine_tune!", "gpt-2-fine-tune", "gpt_2_fine_tune"),
        ("x" * MAX_SLUG_LENGTH, "x" * MAX_SLUG_LENGTH, "x" * MAX_SLUG_LENGTH),
        ("CONsole", "console", "console"),
        ("torchy", "torchy", "torchy"),
    ],
)
def test_valid_names_derive_slug_and_package(name: str, slug: str, package: str) -> None:
    names = resolve_names(name)
    assert names == ProjectNames(name, slug, package)
    assert derive(name) == names
    assert_valid(names)


def test_explicit_slug_and_package_win() -> None:
    names = resolve_names("Anything", "my-tool", "mytool")
    assert (names.project_slug, names.package_name) == ("my-tool", "mytool")
    assert resolve_names("Anything", "my-tool").package_name == "my_tool"


# -- the project name itself -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "\t \u3000"])
def test_empty_name_says_how_to_give_one(name: str) -> None:
    assert "--set project_name='My Project'" in refusal(name)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("../evil", "evil"),
        ("/abs/path", "abs path"),
        ("a/b", "a b"),
        ("a\\b", "a b"),
        ("/", "Image Classifier"),  # nothing left to suggest: an example instead of ''
        ("os/", "Image Classifier"),  # 'os' would be refused in turn
    ],
)
def test_path_separators_are_refused_with_a_spaced_suggestion(name: str, suggestion: str) -> None:
    message = refusal(name)
    assert "path separator" in message
    assert suggested(message) == suggestion


@pytest.mark.parametrize(
    "name",
    ["a\x00b", "a\x1b[31mb", "tab\there", "new\nline", "del\x7f", "rtl\u202eevil", "zw\u200bj"],
)
def test_control_and_format_characters_are_refused(name: str) -> None:
    message = refusal(name)
    assert "control characters" in message
    assert repr(name) in message  # shown escaped, so the message stays one line


def test_undecodable_bytes_are_refused_with_a_locale_hint() -> None:
    name = b"caf\xc3\xa9".decode("ascii", "surrogateescape")  # UTF-8 argv under an ASCII locale
    assert "UTF-8 locale" in refusal(name)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("-rf", "rf"), (" --help", "help"), ("-", "Image Classifier"), ("--json", "Image Classifier")],
)
def test_leading_dash_is_refused(name: str, suggestion: str) -> None:
    message = refusal(name)
    assert "starts with '-'" in message
    assert suggested(message) == suggestion


# -- the directory name -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["!!!", "..", "...", "¿?"])
def test_name_without_letters_or_digits(name: str) -> None:
    message = refusal(name)
    assert "no letters or digits" in message
    assert "Image Classifier" in message


@pytest.mark.parametrize(
    ("slug", "suggestion"), [("../x", "x"), ("Caps", "caps"), ("a_b", "a-b"), ("-x", "x")]
)
def test_explicit_slug_must_be_lowercase_dashes(slug: str, suggestion: str) -> None:
    message = refusal("Fine Name", slug)
    assert f"directory name {slug!r} must be lowercase" in message
    assert suggested(message) == suggestion
    check_slug(suggestion)


def test_overlong_slug_is_refused_with_a_cut_suggestion() -> None:
    name = "word " * 12
    message = refusal(name)
    assert f"at most {MAX_SLUG_LENGTH}" in message
    suggestion = suggested(message)
    assert len(suggestion) <= MAX_SLUG_LENGTH and not suggestion.endswith("-")
    assert_valid(resolve_names(suggestion))


@pytest.mark.parametrize("name", ["CON", "con", "Aux", "nul", "PRN", "com1", "LPT9", "lpt¹"])
def test_windows_reserved_names(name: str) -> None:
    message = refusal(name)
    assert "reserved on Windows" in message
    assert_valid(resolve_names(suggested(message)))


def test_windows_reserved_explicit_package() -> None:
    message = refusal("Fine Name", None, "aux")
    assert "reserved on Windows; try 'aux_project'" in message


# -- the package name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "package", "suggestion"),
    [
        ("3d model", "3d_model", "project_3d_model"),
        ("42", "42", "project_42"),
        ("Fine", "Bad-Name", "bad_name"),
        ("Fine", "has space", "has_space"),
        ("Fine", "Café", "cafe"),
    ],
)
def test_package_must_be_an_identifier(name: str, package: str, suggestion: str) -> None:
    message = refusal(name, None, None if name != "Fine" else package)
    assert f"package name {package!r} is not a valid Python identifier" in message
    assert suggested(message) == suggestion


def test_suggested_identifiers_are_identifiers() -> None:
    for package in ["3d_model", "42", "Bad-Name", "Café", "x.y", "_"]:
        with pytest.raises(InvalidNameError) as info:
            check_package(package)
        fixed = suggested(info.value.message)
        assert fixed.isidentifier(), (package, fixed)


@pytest.mark.parametrize("name", ["class", "def", "lambda", "match", "case"])
def test_keywords_are_refused(name: str) -> None:
    message = refusal(name)
    assert f"package name {name!r} is a Python keyword; try '{name}_project'" in message
    assert_valid(resolve_names(suggested(message)))


@pytest.mark.parametrize("name", ["os", "json", "typing", "random", "Collections", "sys"])
def test_stdlib_modules_are_refused(name: str) -> None:
    message = refusal(name)
    assert "would shadow the standard-library module" in message
    assert suggested(message) == f"{name.lower()}_project"
    assert_valid(resolve_names(suggested(message)))


@pytest.mark.parametrize("name", ["torch", "NumPy", "test", "tests", "keras", "TensorFlow", "src"])
def test_shadowing_framework_and_tooling_names_are_refused(name: str) -> None:
    message = refusal(name)
    assert "would shadow the library of that name" in message
    assert_valid(resolve_names(suggested(message)))


def test_errors_are_user_errors() -> None:
    with pytest.raises(ScaffoldError) as info:
        check_project_name("")
    assert info.value.exit_code == 1


# -- any text: valid names, or one refusal whose suggestion passes the rule it was made for -----


def check_suggestion(message: str) -> None:
    match = re.search(r"try '([^']*)'", message)
    if match is None:
        return
    fixed = match.group(1)
    if message.startswith("package name"):
        check_package(fixed)
    elif message.startswith("directory name"):
        check_slug(fixed)
    else:
        check_project_name(fixed)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.from_regex(r"[ -~]{0,60}", fullmatch=True)))
def test_any_text_resolves_or_is_refused_with_a_working_suggestion(name: str) -> None:
    try:
        names = resolve_names(name)
    except InvalidNameError as exc:
        assert exc.message and "\n" not in exc.message
        check_suggestion(exc.message)
        return
    assert_valid(names)
