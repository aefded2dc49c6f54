"""The errors a user can act on. The command line prints each as one line and exits with its code.

Anything else that escapes is a bug: it is reported in one line as well, and its traceback is shown
when `{{ cookiecutter.package_name|upper }}_DEBUG=1` is set.
"""

from __future__ import annotations

import math


class ProjectError(Exception):
    """A failure with a message that says what to change; exit code 1."""

    exit_code = 1


class ConfigError(ProjectError, ValueError):
    """A setting, override or data source that cannot work; exit code 2, like a usage error."""

    exit_code = 2


class Interrupted(ProjectError):
    """SIGINT or SIGTERM stopped the run after a checkpoint; exit code 128 + the signal number."""

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = 128 + signum


def check_finite(name: str, value: float, where: str) -> float:
    """Refuse a loss or metric that became NaN or infinite: training has diverged."""
    if not math.isfinite(value):
        raise ProjectError(
            f"{name} is {value} {where}: training diverged; lower trainer.lr and train again"
        )
    return value
