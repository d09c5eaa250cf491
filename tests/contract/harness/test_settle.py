"""The settle window: reads again until a search agrees, waits once for "nothing showed", never on a fresh server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract.harness import AbsenceChecks, ContractViolation, PendingChecks, Problem
from contract.harness.lifecycle import Settle
from contract.harness.lifecycle._background import set_current_test


class Clock:
    """A fake monotonic clock: sleeping moves it, nothing else does."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _settle(clock: Clock, window: float = 5.0) -> Settle:
    return Settle(window, first_pause=0.1, max_pause=0.4, clock=clock, sleep=clock.sleep)


def test_a_search_that_agrees_at_once_costs_nothing() -> None:
    clock = Clock()
    reads: list[int] = []

    def read() -> str:
        reads.append(1)
        return "ok"

    settled = _settle(clock).until(read, lambda v: v == "ok")
    assert settled.agreed
    assert settled.waited == 0
    assert reads == [1]
    assert clock.slept == []


def test_a_late_write_is_waited_for_with_backoff() -> None:
    clock = Clock()
    settled = _settle(clock).until(lambda: clock.now >= 1.0, bool)
    assert settled.agreed
    assert clock.slept[:3] == [0.1, 0.2, 0.4]
    assert max(clock.slept) == 0.4
    assert 1.0 <= settled.waited < 1.5


def test_a_change_that_never_shows_fails_and_says_how_long_it_waited() -> None:
    clock = Clock()
    settled = _settle(clock, window=2.0).until(lambda: "stale", lambda v: v == "fresh")
    assert not settled.agreed
    assert settled.value == "stale"
    assert settled.waited == pytest.approx(2.0)
    assert "2.0 s" in settled.note()


def test_eventually_reads_pending_checks_together_and_only_once_per_key() -> None:
    clock = Clock()
    pending = PendingChecks(_settle(clock))
    reads: list[str] = []

    def late(name: str, at: float) -> Callable[[], Problem]:
        def check() -> Problem:
            reads.append(name)
            return None if clock.now >= at else (f"{name} shows", None, "")

        return check

    pending.expect(late("listing", 0.5), key="listing")
    pending.expect(late("listing", 0.5), key="listing")  # the same check again: still one pending
    pending.expect(late("token", 0.7))
    assert len(pending) == 2
    pending.verify()
    assert len(pending) == 0
    assert clock.now < 1.0  # one wait for both


def test_eventually_fails_with_the_check_that_never_held() -> None:
    clock = Clock()
    pending = PendingChecks(_settle(clock, window=1.0))
    pending.expect(lambda: ("the deleted user leaves the listing", None, "still listed"))
    with pytest.raises(ContractViolation, match="the deleted user leaves the listing") as raised:
        pending.verify()
    assert "still listed" in str(raised.value)
    assert "settle window" in str(raised.value)


def test_a_check_that_holds_later_clears_its_pending_key() -> None:
    clock = Clock()
    pending = PendingChecks(_settle(clock))
    pending.expect(lambda: ("not yet", None, ""), key="model")
    pending.expect(lambda: None, key="model")
    assert len(pending) == 0


def test_later_waits_once_for_what_is_left_of_the_window() -> None:
    clock = Clock()
    absences = AbsenceChecks(_settle(clock, window=5.0))
    runs: list[float] = []

    def nothing_showed() -> Problem:
        runs.append(clock.now)
        return None

    absences.add(nothing_showed)
    clock.now = 3.0
    absences.add(nothing_showed, key="a")
    absences.add(nothing_showed, key="a")
    absences.verify()
    assert clock.slept == [5.0]  # from 3.0 to 8.0: five seconds after the newest check
    assert runs[-2:] == [8.0, 8.0]  # two checks (one per key) once the window passed


def test_later_fails_what_showed_at_once_or_within_the_window() -> None:
    clock = Clock()
    absences = AbsenceChecks(_settle(clock, window=1.0))
    with pytest.raises(ContractViolation):
        absences.add(lambda: ("no second user", None, ""))
    shown = {"ghost": False}
    absences.add(lambda: ("no second user", None, "") if shown["ghost"] else None)
    shown["ghost"] = True
    with pytest.raises(ContractViolation, match="showed within the 1 s settle window"):
        absences.verify()


def test_a_late_failure_names_the_test_that_made_the_check() -> None:
    """Verified as the session ends, in whatever test runs last: the message says whose check it was."""
    absences = AbsenceChecks(_settle(Clock(), window=1.0))
    shown = {"ghost": False}
    set_current_test("contract/test_machine_users.py::test_users[shard-2-of-6]")
    try:
        absences.add(lambda: ("no second user", None, "") if shown["ghost"] else None)
    finally:
        set_current_test("")
    shown["ghost"] = True
    with pytest.raises(
        ContractViolation, match=r"checked for contract/test_machine_users.py::test_users\[shard-2-of-6\]"
    ):
        absences.verify()
