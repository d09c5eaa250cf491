"""The settle window: searches may show a write late, so read again before unstable_when_cut_short.

Kestra's listUsers, autocompleteUsers and token lists may read an index that catches up
in batches (docs/contract-semantics.md, "Search lag"); a read by id is immediate. A check on
a search therefore reads until what it sees agrees, or the window has passed: on a
server without lag the first read agrees and nothing is waited. A check that something
must *not* show (a refused request made nothing) cannot end early that way; those are
collected in `AbsenceChecks` and verified once, after the window, for the whole run (each
failure names the test that made the check): so a run pays the window at most once,
and usually not at all, as the run outlives the window. Checks
that a change *does* show are batched in `PendingChecks`: each is tried once at once (free
when the server does not lag), and those that did not agree yet are read again together
at the end of the example or test, so a lagging server costs one wait, not one per check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from contract.harness.lifecycle._background import current_test
from contract.harness.records import ContractViolation, Exchange

__all__ = ["DEFAULT_SETTLE_SECONDS", "AbsenceChecks", "PendingChecks", "Problem", "Settle", "Settled"]

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
    max_pause: float = 0.2
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


#: What a check found wrong (what was expected, the exchange that showed it, detail), or None.
Problem = tuple[str, Exchange | None, str] | None


@dataclass
class PendingChecks:
    """Checks that must hold within the window: tried at once, the rest read again together in `verify()`.

    A check returns None when it holds, or (expected, exchange, detail) when not yet. A
    check given a `key` replaces the pending one of the same key, and clears it when it
    holds: a check of "the listing shows the model" is only ever pending once.
    """

    settle: Settle
    _pending: dict[object, Callable[[], Problem]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expect(self, check: Callable[[], Problem], key: object = None) -> None:
        key = key if key is not None else object()
        holds = check() is None
        with self._lock:
            if holds:
                self._pending.pop(key, None)
            else:
                self._pending[key] = check

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def forget(self) -> None:
        """Drop what is pending (the example failed anyway, or its objects are gone)."""
        with self._lock:
            self._pending = {}

    def verify(self) -> None:
        """Read every pending check again until all hold or the window has passed; fail with the first that did not."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        if not pending:
            return

        def read() -> list[Problem]:
            return [check() for check in pending]

        settled = self.settle.until(read, lambda problems: all(p is None for p in problems))
        for problem in settled.value:
            if problem is not None:
                expected, exchange, detail = problem
                raise ContractViolation(expected, exchange, "; ".join(x for x in (detail, settled.note()) if x))


@dataclass
class AbsenceChecks:
    """Checks that something did not show in a search, run again once the window has passed for all of them.

    The run holds one (`Run.absences`), verified as the session ends: tests never wait for it.

    Each check returns a Problem (as for `PendingChecks`) when the thing showed; `add` runs
    it at once too. `verify()` waits only what is left of the window since the newest
    check was added, then runs them all.
    """

    settle: Settle
    _checks: dict[object, tuple[Callable[[], Problem], str]] = field(default_factory=dict)
    _newest: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, check: Callable[[], Problem], key: object = None) -> None:
        """Run `check` now, and again in `verify()`; a `key` keeps only the newest check of that key."""
        _raise(check(), "")
        with self._lock:
            self._checks[key if key is not None else object()] = (check, current_test())
            self._newest = self.settle.clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._checks)

    def verify(self) -> None:
        """Wait out the rest of the window once, then run every check (the first that fails raises)."""
        with self._lock:
            checks, newest = list(self._checks.values()), self._newest
            self._checks, self._newest = {}, None
        if not checks or newest is None:
            return
        remaining = newest + self.settle.window - self.settle.clock()
        if remaining > 0:
            self.settle.sleep(remaining)
        for check, origin in checks:
            made_by = f"; checked for {origin} (replay that test with this run's seed)" if origin else ""
            _raise(check(), f"it showed within the {self.settle.window:g} s settle window{made_by}")


def _raise(problem: Problem, note: str) -> None:
    if problem is not None:
        expected, exchange, detail = problem
        raise ContractViolation(expected, exchange, "; ".join(x for x in (detail, note) if x))
