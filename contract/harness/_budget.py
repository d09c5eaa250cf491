"""A run's time budget: new examples start only while it lasts, so cleanup always has time.

`--budget 45m` is the whole run's wall time. New tests and new examples stop
`reserve` seconds before it ends (and an example is not started when the slowest one
seen so far would not finish in time): what is in flight finishes, then the session
deletes what it created and writes its reports inside the budget. The deadline is
wall-clock time, so every process of a run (xdist workers too) shares it.
"""

from __future__ import annotations

import re
import time
import unittest
from dataclasses import dataclass

__all__ = ["NOT_STARTED", "Budget", "BudgetSpent", "cleanup_reserve", "format_duration", "parse_duration"]

#: The skip reason of a test the budget left out (reports count them by it).
NOT_STARTED = "budget spent: not started"

_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str) -> float:
    """Seconds in `45m`, `90s`, `1h30m`, `2h` or a plain number of seconds."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        seconds = float(value)
    elif value and _PART.sub("", value) == "":
        seconds = sum(float(number) * _UNIT[unit] for number, unit in _PART.findall(value))
    else:
        raise ValueError(f"not a duration: {text!r} (use e.g. 45m, 90s, 1h30m)")
    if seconds <= 0:
        raise ValueError(f"a budget must be positive: {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def cleanup_reserve(total: float) -> float:
    """What the end of a budget keeps for examples in flight, cleanup and reports: 10%, 20 s to 5 min."""
    return min(max(total * 0.1, 20.0), 300.0, total / 2)


class BudgetSpent(unittest.SkipTest):
    """Raised where a test would start another example after the budget's stop time.

    A skip, not a failure: hypothesis re-raises skips at once, without shrinking, and
    pytest reports them as skipped (the contract plugin turns a test that ran some
    examples first into a pass that says how far it got).
    """


@dataclass(frozen=True)
class Budget:
    """How long the run may take; `seconds` None means no limit."""

    seconds: float | None = None
    started: float = 0.0

    @classmethod
    def starting_now(cls, seconds: float | None) -> Budget:
        return cls(seconds, time.time())

    @property
    def reserve(self) -> float:
        return cleanup_reserve(self.seconds) if self.seconds is not None else 0.0

    @property
    def stop_at(self) -> float | None:
        """Wall-clock time after which nothing new starts."""
        return None if self.seconds is None else self.started + self.seconds - self.reserve

    def spent(self, ahead: float = 0.0) -> bool:
        """Whether something that takes `ahead` seconds, started now, would end past the stop time."""
        stop_at = self.stop_at
        return stop_at is not None and time.time() + ahead >= stop_at

    def to_info(self) -> dict[str, float | None]:
        return {"seconds": self.seconds, "started": self.started}

    @classmethod
    def from_info(cls, info: dict[str, float | None] | None) -> Budget:
        if not info:
            return cls()
        return cls(info.get("seconds"), float(info.get("started") or 0.0))
