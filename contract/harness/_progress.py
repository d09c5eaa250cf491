"""How far each test of this process got: examples run, and the budget's gate after each.

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

import threading
import time
from typing import Any

from contract.harness._budget import Budget, BudgetSpent
from contract.harness._current import current_test, set_current_test

__all__ = ["Progress"]


def _function(test: str) -> str:
    """`path::test_name` of a node id: its shards and parameters take about as long as each other."""
    return test.split("[", 1)[0]


class Progress:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._examples: dict[str, int] = {}
        self._cut: set[str] = set()
        self._failing: set[str] = set()
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
        with self._lock:
            self._failing.add(current_test())

    def examples(self, test: str) -> int:
        with self._lock:
            return self._examples.get(test, 0)

    def snapshot(self) -> dict[str, Any]:
        """{"examples": {test: n}, "cut": [tests the budget stopped early]}: plain data for xdist."""
        with self._lock:
            return {"examples": dict(sorted(self._examples.items())), "cut": sorted(self._cut)}
