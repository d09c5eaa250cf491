"""The settle window: searches may show a write late, so read again before concluding.

Kestra's listUsers, autocompleteUsers and token lists may read an index that catches up
in batches (contract-semantics.md, "Search lag"); a read by id is immediate. A check on
a search therefore reads until what it sees agrees, or the window has passed: on a
server without lag the first read agrees and nothing is waited. A check that something
must *not* show (a refused request made nothing) cannot end early that way; those are
collected in `Later` and verified once, after the window, for a whole test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["DEFAULT_SETTLE_SECONDS", "Later", "Settle", "Settled"]

T = TypeVar("T")

DEFAULT_SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Settled(Generic[T]):
    """The last read, whether it agreed, and how long the reads took."""

    value: T
    agreed: bool
    waited: float

    def note(self) -> str:
        """What a failure message adds: how long it waited for the search to catch up."""
        return f"still so after reading again for {self.waited:.1f} s (settle window)" if self.waited else ""


@dataclass(frozen=True)
class Settle:
    """Polls a search with a deadline (`window` seconds) and a doubling pause."""

    window: float = DEFAULT_SETTLE_SECONDS
    first_pause: float = 0.05
    max_pause: float = 0.5
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def until(self, read: Callable[[], T], agrees: Callable[[T], bool]) -> Settled[T]:
        """`read()` until `agrees` holds for what it returns, or the window has passed."""
        started = self.clock()
        value = read()
        pause = self.first_pause
        while not agrees(value):
            elapsed = self.clock() - started
            if elapsed >= self.window:
                return Settled(value, False, elapsed)
            self.sleep(min(pause, self.window - elapsed))
            pause = min(pause * 2, self.max_pause)
            value = read()
        return Settled(value, True, self.clock() - started)


@dataclass
class Later:
    """Checks that something did not show in a search, run once the window has passed for all of them.

    Each check raises (a ContractViolation) when the thing showed. `verify()` waits only
    what is left of the window since the newest check was added, then runs them all.
    """

    settle: Settle
    _checks: list[Callable[[], None]] = field(default_factory=list)
    _newest: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, check: Callable[[], None]) -> None:
        with self._lock:
            self._checks.append(check)
            self._newest = self.settle.clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._checks)

    def verify(self) -> None:
        """Wait out the rest of the window once, then run every check (the first that fails raises)."""
        with self._lock:
            checks, newest = self._checks, self._newest
            self._checks, self._newest = [], None
        if not checks or newest is None:
            return
        remaining = newest + self.settle.window - self.settle.clock()
        if remaining > 0:
            self.settle.sleep(remaining)
        for check in checks:
            check()
