"""The pytest side of real deployments: the settle window around each test, unstable
targets.

A test body's search checks that did not agree at once are read again together when the
body ends (`Run.pending`), also when the budget stopped it: a check the run already made
is verified before the run ends, and a stopped test whose check fails has failed. In
hypothesis tests an answer of the infrastructure rejects the example and the test goes
on; a test that could not conclude is counted, gets its own line in the terminal
summary, and the run exits `EXIT_UNSTABLE_TARGET` when nothing else went wrong.
`CannotRun` and `UnstableTarget` are marked on the test's report for the report plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from typing import Any

import pytest

from contract.harness import (
    NOT_RUN_PROPERTY,
    UNSTABLE_PROPERTY,
    BudgetSpent,
    CannotRun,
    Run,
    UnstableTarget,
    rejecting_examples,
    unstable_when_cut_short,
)

__all__ = ["EXIT_UNSTABLE_TARGET", "IDENTITY_LOST_PROPERTY", "DeploymentPlugin"]

#: The user property of a test report whose test stopped the run: its own credentials stopped working.
IDENTITY_LOST_PROPERTY = "identity_lost"

#: Exit status of a run in which no contract violation was found but some tests could not
#: conclude because the target was unstable (network errors, gateway pages, rate limits).
EXIT_UNSTABLE_TARGET = 6


class DeploymentPlugin:
    def __init__(
        self, run_of: Callable[[pytest.Config], Run | None], active_in: Callable[[pytest.Config], bool]
    ) -> None:
        self.run_of = run_of
        #: Whether a session runs the suite (known once the plugin's own configure has run).
        self.active_in = active_in
        self.active = False
        #: Tests that could not conclude because the target was unstable: nodeid -> reason.
        self.unstable_tests: dict[str, str] = {}
        #: Tests that stopped the run because its own credentials stopped working (workers' too).
        self.identity_lost: list[str] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        run = self.run_of(item.config)
        if run is None:
            return (yield)
        hypothesis_test = bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))
        try:
            with (
                unstable_when_cut_short(run.record.unstable_total),
                rejecting_examples() if hypothesis_test else nullcontext(),
            ):
                result = yield
        except BudgetSpent:
            run.pending.verify()  # every example it ran passed: its checks must hold too
            raise
        except BaseException:
            run.pending.forget()
            raise
        run.pending.verify()
        return result

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report = outcome.get_result()
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, UnstableTarget):
            report.user_properties.append((UNSTABLE_PROPERTY, error.detail))
        elif isinstance(error, CannotRun):
            report.user_properties.append((NOT_RUN_PROPERTY, error.reason))

    def pytest_configure(self, config: pytest.Config) -> None:
        self.active = self.active_in(config)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count tests that ended on an unstable target (the controller sees the workers' reports too)."""
        if not self.active:
            return
        for name, value in report.user_properties:
            if name == UNSTABLE_PROPERTY:
                self.unstable_tests.setdefault(report.nodeid, str(value))
            elif name == IDENTITY_LOST_PROPERTY:
                self.identity_lost.append(report.nodeid)

    def exit_status(self, status: int | pytest.ExitCode) -> int | pytest.ExitCode:
        """The run's exit status: unstable only when it would otherwise have passed."""
        return EXIT_UNSTABLE_TARGET if self.unstable_tests and status == pytest.ExitCode.OK else status

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        if not self.active:
            return
        run = self.run_of(config)
        requests = run.record.unstable_total() if run is not None else 0
        if not self.unstable_tests and not requests:
            return
        line = f"unstable target: {len(self.unstable_tests)} test(s) could not conclude"
        if requests:
            line += f", {requests} request(s) answered by the infrastructure, not the API"
        line += f" (not contract violations; exit status {EXIT_UNSTABLE_TARGET} when a test could not conclude)"
        terminalreporter.write_line(line, yellow=True)
        for nodeid, reason in sorted(self.unstable_tests.items())[:10]:
            terminalreporter.write_line(f"  {nodeid}: {reason.splitlines()[0]}", yellow=True)
