"""Stop cleanly on SIGINT (Ctrl-C) and SIGTERM (what a scheduler sends before it kills a job).

The handler only records the signal; the training loop looks at `requested` after each step,
writes a checkpoint it can resume from, and raises `Interrupted`. A second Ctrl-C while that
checkpoint is being written is ignored, so the checkpoint is never cut short; a second SIGTERM is
honoured at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Which stop signal arrived first, if any."""

    def __init__(self) -> None:
        self.requested: int | None = None
        self._listeners: list[Callable[[], None]] = []

    def on_request(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the signal handler: keep it to setting a flag) when a stop is
        first requested, for a loop that cannot look at `requested` after each step itself."""
        self._listeners.append(listener)

    def _record(self, signum: int) -> None:
        if self.requested is None:
            self.requested = signum
            for listener in self._listeners:
                listener()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested == signal.SIGTERM and signum == signal.SIGTERM:
            raise SystemExit(128 + signum)
        self._record(signum)

    def request(self, signum: int) -> None:
        """Record a stop that another process asked for (a peer rank that got the signal)."""
        self._record(signum)

    def stop(self, where: str, checkpoint: object) -> Interrupted:
        """The error to raise once the resumable checkpoint has been written."""
        assert self.requested is not None
        name = signal.Signals(self.requested).name
        return Interrupted(
            self.requested,
            f"stopped by {name} {where}; checkpoint written to {checkpoint}; "
            "continue with `train --resume`",
        )


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Install the handlers for the duration of training (main thread only), then restore them."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, request._handle)
    try:
        yield request
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
