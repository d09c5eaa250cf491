"""A pytest plugin loaded into a suite run in a subprocess (`-p tests._suite_probe`).

It writes two things into each test case of the JUnit XML that pytest's own report
lacks: the test's markers (which area of the suite it belongs to) and, for failures,
how long after the session started the failure came. Project tests read them back
through tests._suite_runner.

With `--kct-only PATTERN` (repeated) it runs only the tests those node-id patterns name,
as specs/clauses.yaml writes them (`*` for any run of characters; a test without
parameters covers all of them): a fault is run only against the checks of the part it
breaks. The targeted tests go first, then the fuzz tests, then the state machines: a fault
run stops at its first failure (`-x`), and the targeted tests find theirs fastest.

It also registers the `selftest` hypothesis profile: the default profile without the
shrink and explain phases. Those run only after a failure was found, so the profile
finds exactly what `default` finds with the same seed; it just does not spend minutes
replaying a state machine to minimise an example nobody reads.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import Phase, settings

import specs
from contract.harness import register_profiles

MARKERS_PROPERTY = "kct-markers"
FAILED_AT_PROPERTY = "kct-failed-at"
ONLY_OPTION = "--kct-only"

SELFTEST_PROFILE = "selftest"

_started = time.monotonic()

register_profiles()
settings.register_profile(
    SELFTEST_PROFILE,
    settings.get_profile("default"),
    phases=[p for p in settings.get_profile("default").phases if p not in (Phase.shrink, Phase.explain)],
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        ONLY_OPTION,
        action="append",
        default=[],
        metavar="PATTERN",
        help="run only the tests this node-id pattern of specs/clauses.yaml names (repeatable)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    patterns = tuple(config.getoption(ONLY_OPTION))
    if not patterns:
        return
    wanted = specs.Part("selection", "", patterns)
    kept = sorted((item for item in items if wanted.checked_by(item.nodeid)), key=_cost)
    dropped = [item for item in items if not wanted.checked_by(item.nodeid)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


def _cost(item: pytest.Item) -> int:
    """Targeted tests (a few requests each), then fuzz tests, then state machines (minutes of steps)."""
    if "/test_machine_" in item.nodeid:
        return 2
    return 1 if "/test_fuzz.py::" in item.nodeid else 0


def pytest_sessionstart(session: pytest.Session) -> None:
    global _started
    _started = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """JUnit takes properties from the teardown report, which copies `item.user_properties`."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    properties = item.user_properties
    if call.when == "setup":
        properties.append((MARKERS_PROPERTY, ",".join(sorted({mark.name for mark in item.iter_markers()}))))
    if report.failed and not any(name == FAILED_AT_PROPERTY for name, _ in properties):
        properties.append((FAILED_AT_PROPERTY, f"{time.monotonic() - _started:.2f}"))
