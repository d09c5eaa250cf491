"""An unstable target: what stands between the suite and the API answered, not the API.

Such an answer says nothing about the contract, either way. `UnstableTarget` is a
pytest skip, so that hypothesis never shrinks or replays it as a failure and a test that
meets one ends as "could not conclude". Inside a hypothesis example the suite can do
better: `rejecting_examples()` makes the harness reject just that example
(`hypothesis.reject()`), so the test goes on with others.

A check that cannot run against this target as given (e.g. it needs a username, the run has a token).

Not a pass and not a violation: the report's verdict names it as not run, rather than
hiding it among the skips under "The contract holds".
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
from hypothesis import reject
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable

__all__ = [
    "NOT_RUN_PROPERTY",
    "UNSTABLE_PROPERTY",
    "CannotRun",
    "UnstableTarget",
    "cannot_run",
    "give_up",
    "met_unstable_target",
    "raising_unstable",
    "rejecting_examples",
    "unstable_when_cut_short",
]


#: The user property a test report carries when the test ended on an unstable target.
UNSTABLE_PROPERTY = "unstable_target"

_REJECT = contextvars.ContextVar("kct_reject_unstable_examples", default=False)


class UnstableTarget(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The target did not answer as an API (network error, gateway page, rate limit)."""

    def __init__(self, reason: str, *, unreachable: bool = False, where: str = "", maybe_applied: bool = False) -> None:
        super().__init__(msg=f"unstable target: {where + ': ' if where else ''}{reason}", pytrace=False)
        #: What happened ("502 from a gateway (...)", "ConnectError: ..."), without where.
        self.reason = reason
        #: Which request met it (operation, and a curl line or the method and path).
        self.where = where
        #: No HTTP answer came back at all (connection errors, timeouts).
        self.unreachable = unreachable
        #: A change that the server may have made before the answer was lost: its outcome is unknown
        #: until the state is read back (`contract.harness.sending._resolve`).
        self.maybe_applied = maybe_applied

    @property
    def detail(self) -> str:
        """Where and what, for people: `deleteUser: 502 from a gateway (...)` and the request."""
        if not self.where:
            return self.reason
        operation, _, request = self.where.partition("\n")
        return f"{operation}: {self.reason}" + (f"\n{request}" if request else "")


@contextmanager
def rejecting_examples() -> Iterator[None]:
    """Inside: an unstable answer rejects the current hypothesis example instead of ending the test."""
    token = _REJECT.set(True)
    try:
        yield
    finally:
        _REJECT.reset(token)


@contextmanager
def unstable_when_cut_short(unstable_requests: Callable[[], int]) -> Iterator[None]:
    """Inside: hypothesis giving up on examples the target cut short ends the test as unstable, not failed.

    Rejected examples can leave hypothesis without a valid one (`Unsatisfiable`), or seeing
    one prefix of choices end differently from run to run (`FlakyStrategyDefinition`):
    when the target answered instead of the API meanwhile, the test could not conclude.
    """
    before = unstable_requests()
    try:
        yield
    except (Unsatisfiable, FlakyStrategyDefinition) as error:
        if unstable_requests() > before:
            what = "every example met" if isinstance(error, Unsatisfiable) else "examples cut short by"
            raise UnstableTarget(f"{what} an unstable target ({type(error).__name__})") from None
        raise


@contextmanager
def raising_unstable() -> Iterator[None]:
    """Inside: an unstable answer raises UnstableTarget, even within `rejecting_examples` (cleanup needs that)."""
    token = _REJECT.set(False)
    try:
        yield
    finally:
        _REJECT.reset(token)


_MARK = threading.local()


def give_up(error: UnstableTarget) -> NoReturn:
    """End what met `error`: the hypothesis example when rejecting, else the test."""
    if _REJECT.get():
        _MARK.met = True
        reject()
    raise error


def met_unstable_target() -> bool:
    """Whether this thread rejected an example on an unstable target since it last asked (then forgotten):
    so that an example's end can tell "cut short by the target" from other rejections.
    """
    met = bool(getattr(_MARK, "met", False))
    _MARK.met = False
    return met


#: The user property a test report carries when the test could not run here.
NOT_RUN_PROPERTY = "not_run"


class CannotRun(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    def __init__(self, reason: str) -> None:
        super().__init__(msg=f"not run: {reason}", pytrace=False)
        self.reason = reason


def cannot_run(reason: str) -> NoReturn:
    raise CannotRun(reason)
