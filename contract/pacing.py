"""The budget in pytest's terms, and how many workers `-n auto` starts.

A test that would start after the budget's stop time is skipped ("budget spent"); a
test the gate stopped between examples passes with a note of how far it got, since
every example it ran passed. `-n auto` against a remote target starts more workers
than cores: there the work waits on the network, not on the CPU.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from typing import Any

import pytest

from contract.harness import BudgetSpent, Run

__all__ = ["NOT_STARTED", "PacePlugin", "remote_workers"]

#: The skip reason of a test the budget left out.
NOT_STARTED = "budget spent: not started"


def remote_workers(cores: int) -> int:
    """Workers for a remote target: requests wait tens of ms, so several per core stay busy."""
    return min(max(8, 4 * cores), 32)


class PacePlugin:
    def __init__(self, run_of: Callable[[pytest.Config], Run]) -> None:
        self.run_of = run_of

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before any fixture: a test that starts after the stop time would only eat the cleanup's time."""
        run = self.run_of(item.config)
        run.progress.begin(item.nodeid)
        if run.budget.spent():
            pytest.skip(NOT_STARTED)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        stopped = call.when == "call" and call.excinfo is not None and isinstance(call.excinfo.value, BudgetSpent)
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if stopped and report.skipped:
            examples = self.run_of(item.config).progress.examples(item.nodeid)
            report.outcome = "passed"
            report.longrepr = None
            report.sections.append(("budget", f"budget spent: stopped after {examples} examples, all passed"))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_auto_num_workers(self, config: pytest.Config) -> int | None:
        if config.getoption("base_url", None):
            return remote_workers(os.cpu_count() or 1)
        return None
