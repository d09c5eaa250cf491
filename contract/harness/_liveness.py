"""Whether a run may still be going, so that a sweep never deletes from under it.

A sweep can run on another machine than the run, with or without the run's reports.
A run is over when its record says it ended, or it ran on this machine and its process
is gone. Otherwise only its age can tell: the run id carries the minute the run started
(strategies.naming), and a run younger than `min_age` is spared. An undated run id
(from before ids carried dates) has no known age and is spared too.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Protocol

from strategies import run_started_at

__all__ = ["DEFAULT_MIN_AGE_HOURS", "why_spared"]

#: Runs younger than this may still be going (a nightly run takes about an hour).
DEFAULT_MIN_AGE_HOURS = 6.0


class _Record(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def pid(self) -> int: ...
    @property
    def ended(self) -> bool: ...


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def why_spared(run_id: str, record: _Record | None, min_age_hours: float, now: float | None = None) -> str | None:
    """Why the run's objects must be left alone (it may still be going), or None when they may go."""
    if record is not None:
        if record.ended:
            return None
        if record.host == socket.gethostname():
            return f"still running here (pid {record.pid})" if _process_alive(record.pid) else None
    started = run_started_at(run_id)
    if started is None:
        return "its run id has no date, so it may still be going; --min-age 0 sweeps it"
    age_hours = ((time.time() if now is None else now) - started) / 3600
    if age_hours < min_age_hours:
        where = f"on {record.host}" if record is not None else "with no record here"
        return f"started {age_hours:.1f} h ago {where}, younger than --min-age {min_age_hours:g} h: may still be going"
    return None
