"""Valid data from strategies/ passes the business rules; invalid data breaks them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specs
import strategies
from reference_server._errors import ApiError
from reference_server._rules import check_email, check_password, parse_duration

NAMES = strategies.RunNames("abc123", "gw0")
TOKEN_NAME = re.compile(
    specs.openapi()["components"]["schemas"]["CreateApiTokenRequest"]["properties"]["name"]["pattern"]
)
MAX_AGE = re.compile(
    specs.openapi()["components"]["schemas"]["CreateApiTokenRequest"]["properties"]["maxAge"]["pattern"]
)


@given(strategies.emails(NAMES))
def test_emails_are_valid_unique_and_prefixed(email: str) -> None:
    check_email(email)
    assert email.startswith("kct-abc123-gw0-")


@given(strategies.passwords())
def test_passwords_are_strong(password: str) -> None:
    check_password(password)


@given(strategies.weak_passwords)
def test_weak_passwords_are_weak(password: str) -> None:
    with pytest.raises(ApiError):
        check_password(password)


@given(strategies.token_names(NAMES))
def test_token_names_match_the_pattern(name: str) -> None:
    assert TOKEN_NAME.match(name), name


@given(strategies.invalid_token_names)
def test_invalid_token_names_do_not(name: str) -> None:
    assert not TOKEN_NAME.match(name)


@given(strategies.durations())
def test_durations_parse_and_match_the_refined_pattern(duration: str) -> None:
    assert parse_duration(duration)
    assert MAX_AGE.match(duration), duration


@given(strategies.invalid_durations)
def test_invalid_durations_are_refused(duration: str) -> None:
    with pytest.raises(ApiError):
        parse_duration(duration)
    assert not MAX_AGE.match(duration)


@given(strategies.person_names)
def test_names_fit(name: str) -> None:
    assert 1 <= len(name) <= specs.policy().name_max_length


@settings(max_examples=20)
@given(st.data())
def test_user_requests_are_complete(data: st.DataObject) -> None:
    body = data.draw(strategies.create_user_requests(NAMES, ["main"], ["g1", "g2"]))
    required = specs.openapi()["components"]["schemas"]["IAMUserController.ApiCreateOrUpdateUserRequest"]["required"]
    assert set(required) <= body.keys()
    assert set(body["groups"]) <= {"g1", "g2"}
