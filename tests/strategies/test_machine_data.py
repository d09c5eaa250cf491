"""The data the state machines draw is valid by the contract's own rules."""

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import specs
from strategies import (
    SHORT_MAX_AGE_SECONDS,
    RunNames,
    lasting_durations,
    lasting_token_requests,
    long_emails,
    token_descriptions,
    usable_token_requests,
    user_emails,
)

POLICY = specs.policy()
MAX_AGE = re.compile(
    specs.openapi()["components"]["schemas"]["CreateApiTokenRequest"]["properties"]["maxAge"]["pattern"]
)
NAME = re.compile(specs.openapi()["components"]["schemas"]["CreateApiTokenRequest"]["properties"]["name"]["pattern"])
_PARTS = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def seconds(duration: str) -> int:
    match = _PARTS.match(duration)
    assert match, duration
    days, hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + secs


@given(lasting_durations())
def test_lasting_durations_are_valid_and_last_an_hour(duration: str) -> None:
    assert MAX_AGE.match(duration)
    assert seconds(duration) >= 3600


@given(st.integers(1, 9999).flatmap(lambda m: st.tuples(st.just(m), lasting_durations(m))))
def test_lasting_durations_respect_any_minimum(pair: tuple[int, str]) -> None:
    minimum, duration = pair
    assert MAX_AGE.match(duration)
    assert seconds(duration) >= minimum


@given(long_emails(RunNames("abc123", "gw0")))
def test_long_emails_are_valid_at_the_limit(email: str) -> None:
    local, _, domain = email.partition("@")
    assert POLICY.email_max_length - 8 <= len(email) <= POLICY.email_max_length
    assert email.count("@") == 1
    assert len(local) <= 64
    assert all(0 < len(label) <= 63 for label in domain.split("."))
    assert email.startswith("kct-abc123-gw0-")


@given(st.lists(user_emails(RunNames("abc123")), min_size=2, max_size=10))
def test_user_emails_are_unique(drawn: list[str]) -> None:
    assert len({e.casefold() for e in drawn}) == len(drawn)


@settings(max_examples=300)
@given(usable_token_requests(RunNames("abc123")))
def test_usable_token_requests_last_a_run_and_expire_within_two_hours(request: dict[str, Any]) -> None:
    """Tokens a machine keeps from step to step: never a lasting credential (C-DEPLOY-08)."""
    assert NAME.match(request["name"])
    assert 3600 <= seconds(request["maxAge"]) <= SHORT_MAX_AGE_SECONDS, request["maxAge"]
    assert request["description"] == request["description"].strip()


@given(lasting_token_requests(RunNames("abc123")))
def test_lasting_token_requests_outlive_any_run(request: dict[str, Any]) -> None:
    assert NAME.match(request["name"])
    assert request["maxAge"] == "" or seconds(request["maxAge"]) > SHORT_MAX_AGE_SECONDS


@given(token_descriptions)
def test_token_descriptions_have_no_control_characters(description: str) -> None:
    assert description.isprintable()


def test_child_names_live_under_their_own_prefix() -> None:
    parent = RunNames("abc123", "gw1")
    first, second = parent.child(), parent.child()
    assert first.prefix.startswith(parent.prefix)
    assert first.prefix != second.prefix
    assert first.email().startswith(first.prefix)
    assert first.prefix not in second.email()
    assert first.prefix not in parent.email("x1")
