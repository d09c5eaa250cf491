"""A run's time budget: new examples start only while it lasts, so cleanup always has time.

`--budget 45m` is the whole run's wall time. New tests and new examples stop
`reserve` seconds before it ends (and an example is not started when the slowest one
seen so far would not finish in time): what is in flight finishes, then the session
deletes what it created and writes its reports inside the budget. The deadline is
wall-clock time, so every process of a run (xdist workers too) shares it.

How far each test of this process got: examples run, and the budget's gate after each.

Engines report each example as it starts and as it ends (a machine as it is built and
in its teardown, the fuzz engine around its send). The gate sits at the end: once the
budget's stop time is closer than the test's slowest example so far, the finished
example raises `BudgetSpent`, so no new one starts (`fits` answers the same before a
test starts). At the end, because hypothesis has then seen every draw of the example:
stopping mid-way would look like inconsistent data generation to it. A test that failed
is never stopped, so its shrinking and report are not cut off. The report turns
`snapshot()` into examples per test.
"""

from __future__ import annotations

import re
import threading
import time
import unittest
from dataclasses import dataclass
from typing import Any

from contract.harness.lifecycle._background import current_test, set_current_test

__all__ = [
    "NOT_STARTED",
    "Budget",
    "BudgetSpent",
    "Progress",
    "cleanup_reserve",
    "format_duration",
    "parse_duration",
    "stopped_by_budget",
]


#: The skip reason of a test the budget left out (reports count them by it).
NOT_STARTED = "budget spent: not started"


def stopped_by_budget(examples: int) -> str:
    """What the report and the summary say of a test the budget stopped between examples."""
    return f"stopped by the budget after {examples} examples"


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


def _function(test: str) -> str:
    """`path::test_name` of a node id: its shards and parameters take about as long as each other."""
    return test.split("[", 1)[0]


class Progress:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._examples: dict[str, int] = {}
        #: Of those, per test: examples that ran to their end, and examples an unstable target cut short.
        self._completed: dict[str, int] = {}
        self._cut_short: dict[str, int] = {}
        #: Examples hypothesis itself abandoned (its data ran out): not examples of the engine at all.
        self._abandoned: dict[str, int] = {}
        #: Tests run again from their start because the target left them unable to conclude.
        self._retried: dict[str, int] = {}
        self._cut: set[str] = set()
        self._failing: set[str] = set()
        #: The example of each test that first failed (1 = its first example).
        self._failed_at: dict[str, int] = {}
        #: Tests already handed to a thread (`Background`): pytest must not skip them as not started.
        self._claimed: set[str] = set()
        #: When the current example of each thread began.
        self._local = threading.local()
        #: The longest example so far of each test function (shards and parameters alike):
        #: what one more may take.
        self._slowest: dict[str, float] = {}

    def begin(self, test: str) -> None:
        """The test that this thread's examples from now on belong to."""
        set_current_test(test)
        self._local.started = 0.0

    def claim(self, test: str) -> None:
        """`test` runs in a thread of its own, started before pytest reaches its item."""
        with self._lock:
            self._claimed.add(test)

    def claimed(self, test: str) -> bool:
        with self._lock:
            return test in self._claimed

    def fits(self, test: str) -> bool:
        """Whether an example of `test` started now would end before the stop time."""
        with self._lock:
            return not self.budget.spent(ahead=self._slowest.get(_function(test), 0.0))

    def started(self) -> None:
        """An example of the current test starts."""
        test = current_test()
        with self._lock:
            self._examples[test] = self._examples.get(test, 0) + 1
        self._local.started = time.monotonic()

    def finished(self) -> None:
        """An example passed: raise `BudgetSpent` if another one would end past the stop time."""
        test = current_test()
        function, started = _function(test), getattr(self._local, "started", 0.0)
        with self._lock:
            if started:
                self._slowest[function] = max(self._slowest.get(function, 0.0), time.monotonic() - started)
            if test in self._failing or not self.budget.spent(ahead=self._slowest.get(function, 0.0)):
                return
            self._cut.add(test)
        raise BudgetSpent(f"budget spent after {self.examples(test)} examples")

    def failed(self) -> None:
        """An example of the current test failed: it may go on (shrink, report) past the stop time."""
        test = current_test()
        with self._lock:
            self._failing.add(test)
            self._failed_at.setdefault(test, self._examples.get(test, 0))

    def completed(self) -> None:
        """An example of the current test ran to its end (passed; the budget's gate comes after)."""
        self._count(self._completed)

    def cut_short(self) -> None:
        """An example of the current test ended early: the target answered instead of the API."""
        self._count(self._cut_short)

    def abandoned(self) -> None:
        """Hypothesis abandoned an example of the current test on its own (not the target, not a failure)."""
        self._count(self._abandoned)

    def retried(self) -> None:
        """The current test is run again from its start: the target left it unable to conclude."""
        self._count(self._retried)

    def _count(self, table: dict[str, int]) -> None:
        """One more of `table`'s events for the current test."""
        test = current_test()
        with self._lock:
            table[test] = table.get(test, 0) + 1

    def examples(self, test: str) -> int:
        with self._lock:
            return self._examples.get(test, 0)

    def snapshot(self) -> dict[str, Any]:
        """{"examples": {test: n}, "cut": [tests the budget stopped early], "failed_at": {test: example},
        "completed", "cut_short", "retried", "abandoned": {test: n} for engines that tell (the state
        machines)}: plain data for xdist.
        """
        with self._lock:
            return {
                "examples": dict(sorted(self._examples.items())),
                "cut": sorted(self._cut),
                "failed_at": dict(sorted(self._failed_at.items())),
                "completed": dict(sorted(self._completed.items())),
                "cut_short": dict(sorted(self._cut_short.items())),
                "retried": dict(sorted(self._retried.items())),
                "abandoned": dict(sorted(self._abandoned.items())),
            }
