"""The budget in pytest's terms, and how xdist spreads the work.

A test that would start after the budget's stop time is skipped ("budget spent"); a test
the gate stopped between examples passes with a note that says so ("stopped by the
budget after N examples"), since every example it ran, and every check it made, passed
(a pending search check that fails makes it fail instead: `_deployment`). Under xdist
the items the suite names as long go out first, and tests marked with an `xdist_group`
share one worker. `-n auto` against a remote target starts more workers than cores:
there the work waits on the network, not on the CPU.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from typing import Any

import pytest

from contract.harness import NOT_STARTED, BudgetSpent, Run, stopped_by_budget

__all__ = ["PacePlugin", "remote_workers"]

_LOADGROUP = "contract_loadgroup"


def remote_workers(cores: int) -> int:
    """Workers for a remote target: requests wait tens of ms, so several per core stay busy."""
    return min(max(8, 4 * cores), 16)


class PacePlugin:
    def __init__(
        self,
        run_of: Callable[[pytest.Config], Run],
        order: Callable[[pytest.Item], Any],
        active: Callable[[pytest.Config], object],
    ) -> None:
        self.run_of = run_of
        #: Whether the session runs the suite (else this part stays out of the way).
        self.active = active
        #: Sort key of the items under xdist: the longest first.
        self.order = order

    def pytest_configure(self, config: pytest.Config) -> None:
        """`-n N` without `--dist` means `load`; `loadgroup` is the same plus the groups.

        In every session, not only the suite's: a project's tests that share an expensive
        module fixture (one virtual environment) keep to one worker with an `xdist_group`.
        Workers parse the original command line, so they learn it from `workerinput`.
        """
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:
            config.option.loadgroup = config.option.loadgroup or bool(workerinput.get(_LOADGROUP))
        elif getattr(config.option, "dist", "no") == "load":
            config.option.dist = "loadgroup"

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_LOADGROUP] = node.config.option.dist == "loadgroup"

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """On xdist workers (each collects, in the same order): the long items go out first."""
        if hasattr(config, "workerinput") and self.active(config):
            items.sort(key=self.order)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before any fixture: a test that starts after the stop time would only eat the cleanup's time.

        A test a thread started ahead of its item (a machine's shard) has started: its item
        only collects the outcome.
        """
        if not self.active(item.config):
            return
        run = self.run_of(item.config)
        run.progress.begin(item.nodeid)
        if not run.progress.claimed(item.nodeid) and not run.progress.fits(item.nodeid):
            pytest.skip(NOT_STARTED)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        stopped = call.when == "call" and call.excinfo is not None and isinstance(call.excinfo.value, BudgetSpent)
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if stopped and report.skipped and self.active(item.config):
            examples = self.run_of(item.config).progress.examples(item.nodeid)
            report.outcome = "passed"
            report.longrepr = None
            report.sections.append(("budget", stopped_by_budget(examples)))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_auto_num_workers(self, config: pytest.Config) -> int | None:
        if config.getoption("base_url", None):
            return remote_workers(os.cpu_count() or 1)
        return None
