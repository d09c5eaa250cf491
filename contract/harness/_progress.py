"""How far each test of this process got: examples started, and the budget's gate before each.

Engines call `example()` as each example starts (a machine as it is built, the fuzz
engine before it sends). After the budget's stop time the gate raises `BudgetSpent`
instead, except for a test's first example (the test was allowed to start) and in a
test that already failed, whose shrinking and report must not be cut off. The report
turns `snapshot()` into examples per test.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from contract.harness._budget import Budget, BudgetSpent

__all__ = ["Progress"]


class Progress:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._examples: dict[str, int] = {}
        self._cut: set[str] = set()
        self._failing: set[str] = set()
        self._current = ""
        self._last_start = 0.0
        #: The longest time between two examples of one test so far: what one more may take.
        self._slowest = 0.0

    def begin(self, test: str) -> None:
        """The test that the examples from now on belong to (pytest runs one at a time per process)."""
        with self._lock:
            self._current = test
            self._last_start = 0.0

    def example(self) -> None:
        """Count one example of the current test, or raise `BudgetSpent` if it should not start."""
        with self._lock:
            test, now = self._current, time.monotonic()
            count = self._examples.get(test, 0)
            if self._last_start:
                self._slowest = max(self._slowest, now - self._last_start)
            ahead = min(self._slowest, self.budget.reserve)
            if count and test not in self._failing and self.budget.spent(ahead=ahead):
                self._cut.add(test)
                raise BudgetSpent(f"budget spent after {count} examples")
            self._examples[test] = count + 1
            self._last_start = now

    def failed(self) -> None:
        """An example of the current test failed: it may finish (shrink, report) past the stop time."""
        with self._lock:
            self._failing.add(self._current)

    def examples(self, test: str) -> int:
        with self._lock:
            return self._examples.get(test, 0)

    def snapshot(self) -> dict[str, Any]:
        """{"examples": {test: n}, "cut": [tests the budget stopped early]}: plain data for xdist."""
        with self._lock:
            return {"examples": dict(sorted(self._examples.items())), "cut": sorted(self._cut)}
