"""--budget: durations, the reserve kept for cleanup, and the gate between examples."""

from __future__ import annotations

import time

import pytest

from contract.harness.lifecycle._budget import (
    Budget,
    BudgetSpent,
    Progress,
    cleanup_reserve,
    format_duration,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45m", 2700), ("90s", 90), ("1h30m", 5400), ("2h", 7200), ("300", 300), ("1.5m", 90), (" 10M ", 600)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "m", "-5m", "0s", "5 m", "1d", ""])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|positive"):
        parse_duration(text)


def test_the_reserve_is_a_tenth_within_bounds() -> None:
    assert cleanup_reserve(2700) == 270
    assert cleanup_reserve(90) == 20
    assert cleanup_reserve(3 * 3600) == 300
    assert cleanup_reserve(30) == 15  # never more than half of a tiny budget


def test_durations_read_back() -> None:
    assert format_duration(2700) == "45m00s"
    assert format_duration(42) == "42s"


def test_no_budget_is_never_spent() -> None:
    assert not Budget().spent(ahead=10**9)
    assert Budget().stop_at is None


def test_stop_time_keeps_the_reserve() -> None:
    budget = Budget(600, started=1000.0)
    assert budget.stop_at == 1000 + 600 - 60


def test_spent_looks_ahead() -> None:
    budget = Budget.starting_now(3600)
    assert not budget.spent()
    assert budget.spent(ahead=3600)


def test_budget_travels_to_workers() -> None:
    budget = Budget(90, started=time.time())
    assert Budget.from_info(budget.to_info()) == budget
    assert Budget.from_info(None) == Budget()


def _spent() -> Budget:
    return Budget(60, started=time.time() - 3600)


def test_gate_stops_after_an_example_once_spent() -> None:
    progress = Progress(_spent())
    progress.begin("t")
    progress.started()
    with pytest.raises(BudgetSpent, match="after 1 examples"):
        progress.finished()
    snapshot = progress.snapshot()
    assert (snapshot["examples"], snapshot["cut"], snapshot["failed_at"]) == ({"t": 1}, ["t"], {})


def test_gate_lets_a_failing_test_go_on() -> None:
    progress = Progress(_spent())
    progress.begin("t")
    progress.started()
    progress.failed()
    progress.started()
    progress.finished()
    assert progress.examples("t") == 2
    assert progress.snapshot()["cut"] == []
    assert progress.snapshot()["failed_at"] == {"t": 1}  # the example that first failed


def test_gate_is_open_within_the_budget() -> None:
    progress = Progress(Budget.starting_now(3600))
    for test in ("a", "b"):
        progress.begin(test)
        for _ in range(3):
            progress.started()
            progress.finished()
    snapshot = progress.snapshot()
    assert (snapshot["examples"], snapshot["cut"], snapshot["failed_at"]) == ({"a": 3, "b": 3}, [], {})


def test_examples_say_how_they_ended_and_shards_that_ran_again() -> None:
    progress = Progress(Budget())
    progress.begin("m[shard-1]")
    for ended in (progress.completed, progress.cut_short, progress.completed):
        progress.started()
        ended()
    progress.retried()
    snapshot = progress.snapshot()
    assert snapshot["completed"] == {"m[shard-1]": 2}
    assert snapshot["cut_short"] == {"m[shard-1]": 1}
    assert snapshot["retried"] == {"m[shard-1]": 1}


def test_a_budget_spent_is_a_skip_for_pytest_and_hypothesis() -> None:
    import unittest

    assert issubclass(BudgetSpent, unittest.SkipTest)


def test_a_test_does_not_start_when_its_examples_would_not_fit() -> None:
    progress = Progress(Budget(3600, started=time.time() - 3000))  # 540 s to the stop time
    assert progress.fits("contract/test_m.py::test_m[shard-1-of-6]")
    progress._slowest["contract/test_m.py::test_m"] = 600.0
    assert not progress.fits("contract/test_m.py::test_m[shard-2-of-6]")
    assert progress.fits("contract/test_other.py::test_other")
