"""The login book: no bad credential for a real account, and a budget of failures for the run's own."""

from __future__ import annotations

import pytest

from contract.harness import Credentials, missing_id
from contract.harness.sending import LoginBook, UnsafeRequest

SUITE = Credentials(username="admin@staging.example", password="Right-pass-1")
PREFIX = "kct-htlajq12b-"
MINE = f"{PREFIX}7@kestra-contract.test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def book(clock: Clock | None = None, budget: int = 3) -> LoginBook:
    return LoginBook(SUITE, PREFIX, budget=budget, window=300.0, clock=clock or Clock())


def header(username: str, password: str) -> str:
    return Credentials(username=username, password=password).header


@pytest.mark.parametrize(
    "authorization",
    [
        header("admin@staging.example", "Wrong-0-password"),
        header("ADMIN@staging.example", "Wrong-0-password"),
        header("alice@example.com", "AlicePass123"),
        header("kct-otherrun1-1@kestra-contract.test", "Whatever-1"),
    ],
    ids=["suite-wrong-password", "suite-other-case", "someone-else", "another-run"],
)
def test_bad_credentials_naming_real_accounts_are_never_sent(authorization: str) -> None:
    with pytest.raises(UnsafeRequest):
        book().check(authorization)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        SUITE.header,
        "Basic not-base64!",
        "Bearer kt_whatever",
        header(f"{missing_id('login')}@kestra-contract.test", "Wrong-0-password"),
        header(MINE, "Anything-1"),
    ],
    # Ids of their own: a missing id is random, and xdist workers must collect the same names.
    ids=["anonymous", "the-suite", "malformed", "a-token", "no-such-user", "created-by-this-run"],
)
def test_safe_credentials_pass(authorization: str | None) -> None:
    book().check(authorization)


def test_untried_passwords_stop_at_the_budget_and_the_window_frees_them() -> None:
    clock = Clock()
    logins = book(clock)
    for attempt in range(3):
        logins.check(header(MINE, f"Wrong-{attempt}"))
        logins.observe(header(MINE, f"Wrong-{attempt}"), 401)
    with pytest.raises(UnsafeRequest, match="budget 3"):
        logins.check(header(MINE, "Wrong-3"))
    assert logins.most_failures() == {MINE: 3}
    clock.now += 300
    logins.check(header(MINE, "Wrong-3"))


def test_a_password_that_worked_is_still_sent_after_the_budget() -> None:
    logins = book()
    logins.observe(header(MINE, "Right-1"), 200)
    for attempt in range(3):
        logins.observe(header(MINE, f"Wrong-{attempt}"), 401)
    logins.check(header(MINE, "Right-1"))
    with pytest.raises(UnsafeRequest):
        logins.check(header(MINE, "New-password-1"))


def test_probes_expected_to_fail_keep_one_failure_in_reserve() -> None:
    logins = book()
    assert logins.may_fail(MINE)
    logins.observe(header(MINE, "Wrong-1"), 401)
    assert logins.may_fail(MINE)
    logins.observe(header(MINE, "Wrong-2"), 401)
    assert not logins.may_fail(MINE), "the last failure is kept for a new password's first login"
    logins.check(header(MINE, "New-password-1"))
