"""Hold SIGINT and SIGTERM while files or a git merge are swapped, and undo the work if one came.

`signals_deferred()` blocks both signals; the block checks `signal_pending()` before it returns and,
if one is pending, undoes its work and raises `Interrupted`, marking the deferral undone. The held
signal is raised (KeyboardInterrupt, Terminated) when the mask lifts.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass

_DEFERRED = frozenset({signal.SIGINT, signal.SIGTERM})


def signal_pending() -> bool:
    return hasattr(signal, "sigpending") and bool(_DEFERRED & signal.sigpending())


class Interrupted(Exception):
    """A held signal is pending: undo the work; the signal itself is raised when the mask lifts."""


@dataclass
class Deferral:
    undone: bool = False  # set when the block undid its work because a signal is pending


@contextlib.contextmanager
def signals_deferred() -> Iterator[Deferral]:
    """Hold SIGINT and SIGTERM while files are swapped, so a rollback is never cut short.

    Held signals stay pending and are raised (KeyboardInterrupt, Terminated) when the block ends;
    the block checks `signal_pending()` before it returns and undoes its work if one is. Where the
    platform cannot block signals (Windows), the block runs unprotected.
    """
    deferral = Deferral()
    if not hasattr(signal, "pthread_sigmask"):
        yield deferral
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield deferral
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending signal is raised here
    if deferral.undone:  # its handler did not raise: the work is undone, so never report success
        raise KeyboardInterrupt
