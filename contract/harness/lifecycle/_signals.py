"""Signals: termination takes the road of Ctrl-C, and cleanup is not cut short by a second one.

A nightly job is stopped with SIGTERM (or loses its terminal: SIGHUP) more often than
with Ctrl-C; all three raise KeyboardInterrupt, so pytest ends the session and the
cleanup in pytest_sessionfinish runs. While cleanup runs, they are held back: it is
bounded in time (see _cleanup.DEFAULT_BUDGET_SECONDS), and a half-done cleanup leaves
objects behind.

SIGINT is set explicitly too. A process inherits an ignored SIGINT from a parent that
ignores it (a shell starts background jobs of a script that way, and so do some CI
runners and supervisors), and Python then installs no KeyboardInterrupt handler: such a
run, and every xdist worker it starts, would sit through Ctrl-C. Each process of the
suite sets it in pytest_configure, before any test runs. execnet also relies on it: an
xdist worker told to stop while a test is still running interrupts itself with SIGINT.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["interrupt_on_termination", "signals_deferred"]

_STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def interrupt_on_termination() -> None:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt, whatever this process inherited (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)


@contextmanager
def signals_deferred() -> Iterator[list[str]]:
    """Ignore stopping signals inside the block; yields the names of those that came."""
    received: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def remember(signum: int, frame: Any) -> None:
        received.append(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, remember) for signum in _STOPPING}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
