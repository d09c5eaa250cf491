"""A test the budget stops between examples still has its pending search checks verified, and says it was stopped.

A fuzz example may leave a search check pending ("the deleted token is off its owner's
list", read again once the settle window allows); when the budget's gate then ends the
test, that check is one the run already made: it must still hold before the test passes.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from contract.harness import BudgetSpent, ContractViolation, Credentials, Problem, Run, Target
from contract.plugin._deployment import DeploymentPlugin
from contract.reporting._depth import depth, depth_line
from strategies import new_run_id


def _run(tmp_path: Path) -> Run:
    target = Target("http://127.0.0.1:9", Credentials("admin@kestra.test", "Admin1234!"), "main", embedded=False)
    return Run(new_run_id(), "main", target, tmp_path, seed=1, read_only=False, settle_window=0.2)


class Stopped(Exception):
    """The budget's stop came through: the test would be reported as stopped (a skip to pytest)."""


def _call_stopped_by_budget(run: Run) -> None:
    """pytest's call of a test whose body the budget's gate ends, through the deployment plugin."""
    plugin = DeploymentPlugin(lambda config: run, lambda config: True)
    item: Any = SimpleNamespace(config=None, obj=lambda: None)
    call: Generator[None, None, None] = plugin.pytest_runtest_call(item)
    next(call)
    try:
        call.throw(BudgetSpent("budget spent after 3 examples"))
    except BudgetSpent as spent:  # a skip: left as is, it would skip this test instead of failing it
        raise Stopped() from spent


def test_a_check_that_never_holds_fails_the_stopped_test(tmp_path: Path) -> None:
    run = _run(tmp_path)
    reads: list[float] = []

    def still_listed() -> Problem:
        reads.append(1.0)
        return "token T gone from the list after deleteApiToken_1 answered 204", None, ""

    run.pending.expect(still_listed)
    with pytest.raises(ContractViolation, match="token T gone from the list"):
        _call_stopped_by_budget(run)
    assert len(reads) > 2, "read once at once, and again within the window"
    assert len(run.pending) == 0


def test_a_check_that_holds_lets_the_budget_stop_the_test(tmp_path: Path) -> None:
    run = _run(tmp_path)
    answers: list[Problem] = [("shown late", None, ""), None]
    run.pending.expect(lambda: answers.pop(0) if answers else None)
    with pytest.raises(Stopped):
        _call_stopped_by_budget(run)
    assert len(run.pending) == 0


def test_the_summary_says_how_far_a_stopped_test_got() -> None:
    test = "contract/test_fuzz.py::test_operation[GET /api/v1/users]"
    data = depth({"seconds": 60.0, "started": 0.0}, {"examples": {test: 7}, "cut": [test]}, [], 100)
    assert data["stopped_by_budget"] == {test: "stopped by the budget after 7 examples"}
    assert "1 tests stopped early" in depth_line(data)
