"""Turn a project's human name into its directory and package names, or refuse it and say why.

The directory name is `slugify(project_name)`, exactly what the templates compute with cookiecutter's
`slugify` filter, and the package name is the slug with dashes as underscores.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass

from slugify import slugify

from .errors import InvalidNameError

MAX_SLUG_LENGTH = 50
# Importing the generated package under one of these names would hide the library it depends on.
SHADOWED = frozenset(
    {
        "torch",
        "torchvision",
        "tensorflow",
        "tf",
        "keras",
        "jax",
        "jaxlib",
        "flax",
        "numpy",
        "np",
        "scipy",
        "pandas",
        "tqdm",
        "tensorboard",
        "onnx",
        "onnxruntime",
        "PIL",
        "pillow",
        "test",
        "tests",
        "src",
        "setuptools",
        "pip",
        "scaffolder",
        "cookiecutter",
        "click",
    }
)
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class ProjectNames:
    project_name: str
    project_slug: str
    package_name: str


def derive(project_name: str) -> ProjectNames:
    """The slug and package name for `project_name`, without judging them."""
    slug = slugify(project_name)
    return ProjectNames(project_name, slug, slug.replace("-", "_"))


def check_project_name(project_name: str) -> None:
    """Refuse human names that cannot be typed into a shell or a file system safely."""
    if not project_name.strip():
        raise InvalidNameError(
            "project name is empty; give it with --set project_name='My Project'"
        )
    if any(unicodedata.category(ch) == "Cs" for ch in project_name):
        # Undecodable bytes (e.g. UTF-8 read under an ASCII locale) arrive as lone surrogates.
        raise InvalidNameError(
            f"project name {project_name!r} holds bytes that are not text in this locale; "
            "run with a UTF-8 locale (e.g. LC_ALL=C.UTF-8) or use an ASCII name"
        )
    # Control, format, unassigned and private-use characters (and separators other than the
    # plain space) print differently, or not at all, on the machines the repo is cloned to.
    if not all(ch.isprintable() or ch == " " for ch in project_name):
        raise InvalidNameError(
            f"project name {project_name!r} contains control characters or others that do not print; "
            "use printable text"
        )
    if "/" in project_name or "\\" in project_name:
        suggestion = _name_suggestion(re.sub(r"[/\\]+", " ", project_name).strip(" ."))
        raise InvalidNameError(
            f"project name {project_name!r} contains a path separator; try {suggestion!r}"
        )
    if project_name.lstrip().startswith("-"):
        raise InvalidNameError(
            f"project name {project_name!r} starts with '-', which reads as an option; "
            f"try {_name_suggestion(project_name.lstrip(' -'))!r}"
        )


def _name_suggestion(candidate: str) -> str:
    """`candidate` if it passes every rule (so a suggestion never leads to another refusal)."""
    try:
        resolve_names(candidate)
    except InvalidNameError:
        return "Image Classifier"
    return candidate


def _slug_suggestion(candidate: str) -> str:
    try:
        check_slug(candidate)
    except InvalidNameError:
        return "image-classifier"
    return candidate


def check_slug(slug: str) -> None:
    if not slug:
        raise InvalidNameError(
            "project name has no letters or digits to build a directory name from; "
            "try a name such as 'Image Classifier'"
        )
    if not _SLUG.fullmatch(slug):
        raise InvalidNameError(
            f"directory name {slug!r} must be lowercase letters, digits and dashes; "
            f"try {_slug_suggestion(slugify(slug)[:MAX_SLUG_LENGTH].rstrip('-'))!r}"
        )
    if len(slug) > MAX_SLUG_LENGTH:
        raise InvalidNameError(
            f"directory name {slug!r} is {len(slug)} characters; at most {MAX_SLUG_LENGTH} keep "
            f"paths inside the Windows path limit; "
            f"try {_slug_suggestion(slug[:MAX_SLUG_LENGTH].rstrip('-'))!r}"
        )
    if slug.split(".")[0] in WINDOWS_RESERVED:
        raise InvalidNameError(
            f"directory name {slug!r} is reserved on Windows; try '{slug}-project'"
        )


def check_package(package: str) -> None:
    suggestion = f"{package}_project" if _PACKAGE.fullmatch(package or "x") else None
    if not _PACKAGE.fullmatch(package):
        # ASCII, like every name scaffold derives: 'Café' becomes 'cafe', not the refused 'café'.
        fixed = slugify(package, separator="_").strip("_") or "project"
        if fixed[0].isdigit():
            fixed = f"project_{fixed}"
        raise InvalidNameError(
            f"package name {package!r} is not a valid Python identifier "
            f"(lowercase letters, digits, underscores, not starting with a digit); try {fixed!r}"
        )
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise InvalidNameError(f"package name {package!r} is a Python keyword; try {suggestion!r}")
    if package in sys.stdlib_module_names:
        raise InvalidNameError(
            f"package name {package!r} would shadow the standard-library module; try {suggestion!r}"
        )
    if package in SHADOWED:
        raise InvalidNameError(
            f"package name {package!r} would shadow the library of that name; try {suggestion!r}"
        )
    if package in WINDOWS_RESERVED:
        raise InvalidNameError(
            f"package name {package!r} is reserved on Windows; try {suggestion!r}"
        )


def resolve_names(
    project_name: str, project_slug: str | None = None, package_name: str | None = None
) -> ProjectNames:
    """Derive the names (explicit slug or package names win) and check every rule."""
    check_project_name(project_name)
    derived = derive(project_name)
    slug = derived.project_slug if project_slug is None else project_slug
    package = slug.replace("-", "_") if package_name is None else package_name
    check_slug(slug)
    check_package(package)
    return ProjectNames(project_name, slug, package)
