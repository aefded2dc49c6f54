"""Team presets and the user's own defaults: template variables, pinned answers, allowed frameworks.

A preset is a TOML, YAML or JSON file:

    framework = "pytorch"                        # optional default framework
    allowed_frameworks = ["pytorch", "keras"]    # optional policy
    [decision]                                   # pinned decision answers
    purpose = "research"
    [variables]                                  # template variable defaults
    author_name = "Vision Team"
    license = "Apache-2.0"

The user's own defaults are the same format, at `<config dir>/scaffold/config.toml` (XDG on Linux).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .answers import FRAMEWORKS, Answers, answers_from_mapping, read_data_file
from .errors import AnswersFileError, InvalidAnswerError
from .templates import Template

POLICY_KEY = "allowed_frameworks"


@dataclass(frozen=True)
class Preset:
    source: str
    answers: Answers = field(default_factory=Answers)
    allowed: tuple[str, ...] | None = None


def user_config_path() -> Path:
    import click

    return Path(click.get_app_dir("scaffold")) / "config.toml"


def load_preset(path: Path, templates: Iterable[Template] = ()) -> Preset:
    """Read and check a preset; errors name the file, the key and the allowed values."""
    data = read_data_file(path, "preset")
    where = str(path)
    answers = answers_from_mapping(data, where, extra_keys=(POLICY_KEY,))
    allowed = data.get(POLICY_KEY)
    if allowed is not None:
        if not isinstance(allowed, list) or not allowed:
            raise AnswersFileError(
                f"{where}: {POLICY_KEY!r} must be a non-empty list of frameworks"
            )
        for name in allowed:
            if name not in FRAMEWORKS:
                raise AnswersFileError(
                    f"{where}: {POLICY_KEY!r} has {name!r}; allowed: {', '.join(FRAMEWORKS)}"
                )
        allowed = tuple(allowed)
        if answers.framework and answers.framework not in allowed:
            raise AnswersFileError(
                f"{where}: 'framework' {answers.framework!r} is not in {POLICY_KEY} "
                f"({', '.join(allowed)})"
            )
    from .decision import validate_answers

    try:
        answers.decision = validate_answers(answers.decision)
    except InvalidAnswerError as exc:
        raise AnswersFileError(f"{where}: {exc.message}") from None
    _check_variables(where, answers.variables, list(templates))
    return Preset(where, answers, allowed)


def _check_variables(where: str, variables: dict[str, str], templates: list[Template]) -> None:
    if not templates:
        return
    known = {name: t.variables[name] for t in templates for name in t.variables}
    for key, value in variables.items():
        if key not in known:
            raise AnswersFileError(
                f"{where}: unknown variable {key!r}; known: {', '.join(sorted(known))}"
            )
        choices = {c for t in templates if key in t.variables for c in t.variables[key].choices}
        if choices and value not in choices:
            raise AnswersFileError(
                f"{where}: {value!r} is not allowed for {key!r}; choose one of: "
                f"{', '.join(sorted(choices))}"
            )


def load_user_config(templates: Iterable[Template] = ()) -> Preset | None:
    path = user_config_path()
    return load_preset(path, templates) if path.is_file() else None


@dataclass(frozen=True)
class Presets:
    """A `--preset` and the user's own config, in precedence order."""

    found: tuple[Preset, ...] = ()

    @classmethod
    def load(cls, preset: Path | None) -> Presets:
        from .templates import list_templates

        templates = list_templates()
        found = (load_preset(preset, templates) if preset else None, load_user_config(templates))
        return cls(tuple(p for p in found if p is not None))

    @property
    def layers(self) -> list[Answers]:
        return [p.answers for p in self.found]

    @property
    def allowed(self) -> tuple[str, ...] | None:
        """The policy of the highest layer that sets one."""
        return next((p.allowed for p in self.found if p.allowed), None)
