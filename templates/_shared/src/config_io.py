"""Load typed configuration from TOML, apply `--set section.key=value` overrides, save it back.

Kept free of any framework import so that the command line answers `--help` instantly.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from .errors import ConfigError

__all__ = ["Annotated", "ConfigError", "NonEmpty", "Range", "load_config", "save_config"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Range:
    """A bound on a number, used as `Annotated[float, Range(gt=0)]`."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def check(self, value: Any, where: str) -> None:
        bounds = [
            (self.ge, lambda b: value >= b, ">="),
            (self.gt, lambda b: value > b, ">"),
            (self.le, lambda b: value <= b, "<="),
            (self.lt, lambda b: value < b, "<"),
        ]
        for bound, holds, _sign in bounds:
            if bound is not None and not holds(bound):
                allowed = " and ".join(f"{s} {b:g}" for b, _, s in bounds if b is not None)
                raise ConfigError(f"{where} must be {allowed}, not {value!r}")


@dataclasses.dataclass(frozen=True)
class NonEmpty:
    """A string or path that may not be empty, used as `Annotated[Path, NonEmpty()]`."""

    def check(self, value: Any, where: str) -> None:
        if not str(value).strip() or str(value) == ".":
            raise ConfigError(f"{where} may not be empty")


def load_config(cls: type[T], path: Path | None = None, overrides: Iterable[str] = ()) -> T:
    """Build `cls` from the TOML file at `path` (optional), then apply the overrides in order."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    for item in overrides:
        apply_override(data, item)
    return from_dict(cls, data)


def validate(config: Any) -> None:
    """Run every section's `validate()` (cross-field rules), the sections' first."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if dataclasses.is_dataclass(value):
            validate(value)
    check = getattr(config, "validate", None)
    if callable(check):
        check()


def apply_override(data: dict[str, Any], item: str) -> None:
    """Set `a.b.c=value` in nested `data`; the value is read as TOML, else taken as a string."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} must look like section.key=value")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    *parents, leaf = key.strip().split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {item!r}: {part!r} is not a section")
    node[leaf] = value


def from_dict(cls: type[T], data: Mapping[str, Any], where: str = "") -> T:
    """Build dataclass `cls` from `data`, refusing unknown keys and values of the wrong type."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"unknown config key '{where}{unknown[0]}'; known keys: {known}")
    hints = typing.get_type_hints(cls, include_extras=True)
    values = {name: _coerce(hints[name], value, f"{where}{name}") for name, value in data.items()}
    config = cls(**values)
    if not where:  # the whole configuration is built: now the rules that span fields
        validate(config)
    return config


def _coerce(hint: Any, value: Any, where: str) -> Any:
    if typing.get_origin(hint) is Annotated:
        base, *checks = typing.get_args(hint)
        value = _coerce(base, value, where)
        if value is not None:
            for check in checks:
                check.check(value, where)
        return value
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} is a section; set its keys as {where}.<key>=value")
        return from_dict(hint, value, f"{where}.")
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("", "none", "null")):
            return None
        return _coerce(options[0], value, where)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        if value not in allowed:
            choices = ", ".join(map(repr, allowed))
            raise ConfigError(f"{where} must be one of {choices}, not {value!r}")
        return value
    if origin in (list, tuple):
        (item_hint, *_) = typing.get_args(hint) or (Any,)
        if not isinstance(value, list | tuple):
            value = [value]
        items = [_coerce(item_hint, v, where) for v in value]
        return tuple(items) if origin is tuple else items
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, not {value!r}")
    if hint in (int, float) and isinstance(value, bool):  # bool is an int subclass in Python
        raise ConfigError(f"{where} must be {hint.__name__}, not {value!r}")
    if hint is Path and isinstance(value, str):
        return Path(value)
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, not {value!r}")
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(f"{where} must be {hint.__name__}, not {value!r}")
    return value


def to_dict(config: Any) -> dict[str, Any]:
    """The configuration as plain TOML-ready data (paths as strings, unset optionals left out)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        return value

    return clean(dataclasses.asdict(config))


def save_config(config: Any, path: Path) -> None:
    """Write the resolved configuration as TOML, so a run can be repeated with `--config`."""
    lines: list[str] = []
    for section, values in to_dict(config).items():
        if isinstance(values, dict):
            lines.append(f"\n[{section}]")
            lines += [f"{key} = {_toml_value(v)}" for key, v in values.items()]
        else:
            lines.insert(0, f"{section} = {_toml_value(values)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
