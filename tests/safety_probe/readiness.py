"""Not a test of the project: a pytest plugin loaded into the probe run (`-p tests.safety_probe.readiness`).

tests/test_safety.py stops the probe with a signal. Sent too early, the signal finds a
process that cannot react to it yet, and the run it was meant to interrupt goes on. So
each process of the probe says when it is ready to be interrupted, in a file of its own
under $SAFETY_PROBE_DIR: a process running tests once its test holds (after the suite
set its signal handlers, in pytest_configure), the xdist controller once it waits for its
workers. The file also says how the process would react to SIGINT and SIGTERM, so that a
test can refuse to signal a process that would not react.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

__all__ = ["MARKER_PATTERN", "announce", "describe_handler", "read_markers"]

MARKER_PATTERN = "ready-*.json"
#: What describe_handler() says of Python's KeyboardInterrupt handler.
RAISES_KEYBOARD_INTERRUPT = "raises KeyboardInterrupt"

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def describe_handler(handler: Handler) -> str:
    if handler is signal.default_int_handler:
        return RAISES_KEYBOARD_INTERRUPT
    if handler == signal.SIG_IGN:
        return "ignored"
    if handler == signal.SIG_DFL:
        return "default (the process dies without cleanup)"
    if handler is None:
        return "set outside Python"
    return f"handled by {getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', handler)}"


def announce(role: str, **details: Any) -> None:
    """Say that this process (`main`, or the xdist worker id) is ready to be interrupted."""
    directory = Path(os.environ["SAFETY_PROBE_DIR"])
    record = {
        "role": role,
        "pid": os.getpid(),
        "SIGINT": describe_handler(signal.getsignal(signal.SIGINT)),
        "SIGTERM": describe_handler(signal.getsignal(signal.SIGTERM)),
        **details,
    }
    # Written aside, then renamed: a reader never sees half a marker.
    partial = directory / f".ready-{role}.partial"
    partial.write_text(json.dumps(record))
    partial.replace(directory / f"ready-{role}.json")


def read_markers(directory: Path) -> dict[str, dict[str, Any]]:
    """The markers written so far, by role."""
    markers: dict[str, dict[str, Any]] = {}
    for path in directory.glob(MARKER_PATTERN):
        record: dict[str, Any] = json.loads(path.read_text())
        markers[record["role"]] = record
    return markers


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """The xdist controller runs no test: it is ready once it starts waiting for its workers."""
    if session.config.pluginmanager.getplugin("dsession") is not None:
        announce("main", holding="waits for its workers")
