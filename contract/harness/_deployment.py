"""The pytest side of real deployments: the settle window around each test, unstable targets.

A test body's search checks that did not agree at once are read again together when the
body ends (`Run.eventually`). In hypothesis tests an answer of the infrastructure rejects
the example and the test goes on; a test that could not conclude is counted, gets its
own line in the terminal summary, and the run exits `EXIT_UNSTABLE_TARGET` when nothing
else went wrong. `CannotRun` and `UnstableTarget` are marked on the test's report for the
report plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from typing import Any

import pytest

from contract.harness._not_run import NOT_RUN_PROPERTY, CannotRun
from contract.harness._run import Run
from contract.harness._unstable import UNSTABLE_PROPERTY, UnstableTarget, concluding, rejecting_examples

__all__ = ["EXIT_UNSTABLE_TARGET", "DeploymentPlugin"]

#: Exit status of a run in which no contract violation was found but some tests could not
#: conclude because the target was unstable (network errors, gateway pages, rate limits).
EXIT_UNSTABLE_TARGET = 6


class DeploymentPlugin:
    def __init__(self, run_of: Callable[[pytest.Config], Run | None]) -> None:
        self.run_of = run_of
        #: Tests that could not conclude because the target was unstable: nodeid -> reason.
        self.unstable_tests: dict[str, str] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        run = self.run_of(item.config)
        hypothesis_test = bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))
        try:
            with (
                concluding(run.record.unstable_total) if run is not None else nullcontext(),
                rejecting_examples() if hypothesis_test else nullcontext(),
            ):
                result = yield
        except BaseException:
            if run is not None:
                run.eventually.forget()
            raise
        if run is not None:
            run.eventually.verify()
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

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count tests that ended on an unstable target (the controller sees the workers' reports too)."""
        for name, value in report.user_properties:
            if name == UNSTABLE_PROPERTY:
                self.unstable_tests.setdefault(report.nodeid, str(value))

    def exit_status(self, status: int | pytest.ExitCode) -> int | pytest.ExitCode:
        """The run's exit status: unstable only when it would otherwise have passed."""
        return EXIT_UNSTABLE_TARGET if self.unstable_tests and status == pytest.ExitCode.OK else status

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
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
