"""One exception tree for everything `scaffold` can refuse or fail at.

Every error carries a message a user can act on; `cli.py` prints it on one
line and exits with the error's code. Core modules raise these and never print.
"""

from __future__ import annotations

import click

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class ScaffoldError(click.ClickException):
    """Base of every error shown to the user: bad input, a refused action, a failed step."""

    exit_code = EXIT_USER_ERROR


class UsageError(ScaffoldError):
    """The command was called in a way that cannot work (missing flag, no terminal)."""

    exit_code = EXIT_USAGE


class NoTerminalError(UsageError):
    """A question is still open, but there is no terminal to ask it on."""


class InvalidNameError(ScaffoldError):
    """The project or package name breaks a naming rule."""


class InvalidAnswerError(ScaffoldError):
    """A decision answer or template variable is unknown or outside its choices."""


class AnswersFileError(ScaffoldError):
    """An answers or preset file cannot be read or has the wrong shape."""


class TemplateError(ScaffoldError):
    """A template is missing, malformed, or failed while rendering."""


class TargetExistsError(ScaffoldError):
    """The output directory already holds files and --force was not given."""


class NotAProjectError(ScaffoldError):
    """The directory holds no readable `.scaffold.json`."""


class GitError(ScaffoldError):
    """A git step failed or the repository is not in a state to update."""


class OutputError(ScaffoldError):
    """The output directory cannot be written (permissions, full disk)."""


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException, like KeyboardInterrupt, so no `except Exception` swallows it."""
