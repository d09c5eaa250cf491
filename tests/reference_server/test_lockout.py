"""--lockout: wrong passwords lock an account's basic auth for a while; the state counts them."""

from __future__ import annotations

from typing import Any

import pytest

from reference_server import ReferenceApp, ServerConfig
from reference_server.__main__ import main
from reference_server._config import LockoutRule
from tests.reference_server.clock import FakeClock
from tests.reference_server.conftest import Api, basic, bearer

EMAIL, PASSWORD = "locked@example.com", "Passw0rd1"
ME = "/api/v1/users?page=1&size=1"  # a plain user is authenticated (403) or not (401)


def make(clock: FakeClock, lockout: str | None = "3/60/120") -> Api:
    config = ServerConfig(lockout=LockoutRule.parse(lockout) if lockout else None)
    api = Api(ReferenceApp(config, clock=clock))
    api.create_user(EMAIL, PASSWORD)
    return api


def status(api: Api, password: str) -> int:
    return api("GET", ME, auth=basic(EMAIL, password)).status_code


def logins(api: Api) -> dict[str, Any]:
    state = api("GET", "/_reference/state").json
    assert state is not None
    return dict(state["logins"])


def test_threshold_failures_in_the_window_lock_even_the_right_password_until_the_duration_ends() -> None:
    clock = FakeClock()
    api = make(clock)
    for _ in range(2):
        assert status(api, "Wrong0000") == 401
        clock.advance(10)
    assert status(api, PASSWORD) == 403  # two failures: still open
    assert status(api, "Wrong0000") == 401  # the third within 60 s
    assert status(api, PASSWORD) == 401
    assert logins(api)[EMAIL] == {"maxFailuresInWindow": 3, "locked": True, "lockedNow": True}
    clock.advance(119)
    assert status(api, PASSWORD) == 401
    clock.advance(1)
    assert status(api, PASSWORD) == 403
    assert logins(api)[EMAIL] == {"maxFailuresInWindow": 3, "locked": True, "lockedNow": False}


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    clock = FakeClock()
    api = make(clock)
    for _ in range(6):
        assert status(api, "Wrong0000") == 401
        clock.advance(31)  # never three within 60 s
    assert status(api, PASSWORD) == 403
    assert logins(api)[EMAIL] == {"maxFailuresInWindow": 2, "locked": False, "lockedNow": False}


def test_tokens_still_work_while_the_password_is_locked() -> None:
    clock = FakeClock()
    api = make(clock)
    user_id = api.create_user("owner@example.com", PASSWORD)
    body = {"name": "t", "description": "", "maxAge": "PT1H", "extended": False}
    token = api("POST", f"/api/v1/users/{user_id}/api-tokens", json=body).json
    assert token is not None
    for _ in range(3):
        api("GET", ME, auth=basic("owner@example.com", "Wrong0000"))
    assert api("GET", ME, auth=basic("owner@example.com", PASSWORD)).status_code == 401
    assert api("GET", ME, auth=bearer(token["fullToken"])).status_code == 403  # authenticated


def test_failures_while_locked_do_not_extend_the_lock_and_the_count_restarts_after_it() -> None:
    clock = FakeClock()
    api = make(clock, "2/60/30")
    status(api, "Wrong0000")
    status(api, "Wrong0000")  # locked until +30
    clock.advance(20)
    status(api, "Wrong0000")  # during the lock
    clock.advance(10)
    assert status(api, PASSWORD) == 403
    assert status(api, "Wrong0000") == 401  # one failure since the lock ended
    assert status(api, PASSWORD) == 403
    assert logins(api)[EMAIL]["maxFailuresInWindow"] == 4


def test_failures_are_counted_without_lockout_and_only_for_existing_accounts() -> None:
    clock = FakeClock()
    api = make(clock, None)
    for _ in range(12):
        assert status(api, "Wrong0000") == 401
    assert status(api, PASSWORD) == 403
    assert api("GET", ME, auth=basic("nobody@example.com", "Wrong0000")).status_code == 401
    state = api("GET", "/_reference/state").json
    assert state is not None
    assert state["logins"] == {EMAIL: {"maxFailuresInWindow": 12, "locked": False, "lockedNow": False}}
    assert state["loginWindowSeconds"] == 300  # Kestra's default window when lockout is off


def test_the_state_shows_no_logins_when_every_password_was_right(api: Api) -> None:
    state = api("GET", "/_reference/state").json
    assert state is not None
    assert state["logins"] == {}


def test_lockout_rule_parses_the_command_line_spelling() -> None:
    assert LockoutRule.parse("10/300/1800") == LockoutRule(10, 300.0, 1800.0)
    assert LockoutRule.parse("3/0.5/1.5") == LockoutRule(3, 0.5, 1.5)


@pytest.mark.parametrize("text", ["10", "10/300", "10/300/1800/1", "a/1/1", "0/1/1", "1/0/1", "1/1/-1", "1/inf/1"])
def test_lockout_rule_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="lockout"):
        LockoutRule.parse(text)


def test_the_command_line_refuses_a_bad_lockout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lockout", "ten/300/1800"]) == 2
    assert "lockout" in capsys.readouterr().err
