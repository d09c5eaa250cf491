"""Valid data from strategies/ passes the business rules; invalid data breaks them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specs
import strategies
from contract.harness import strong_password
from reference_server._errors import ApiError
from reference_server._password_policy import POLICIES
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


#: Every password policy contract-semantics.md lists ("Password policy"), written from its text.
#: Kestra 1.1.5's default regexp, matched whole as Java's `String.matches` does:
KESTRA_1_1_5 = re.compile(r"(?=.{8,})(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).*")


def kestra_2(password: str) -> list[str]:
    """Kestra 2.x's structured rules: what the password lacks."""
    rules = {
        "8 characters": len(password) >= 8,
        "a lower-case letter": any("a" <= c <= "z" for c in password),
        "an upper-case letter": any("A" <= c <= "Z" for c in password),
        "a digit": any(c.isdigit() for c in password),
        "one of !@#$%^&*": any(c in "!@#$%^&*" for c in password),
    }
    return [rule for rule, holds in rules.items() if not holds]


def assert_every_policy_accepts(password: str) -> None:
    limits = specs.policy()
    assert limits.password_min_length <= len(password) <= limits.password_max_length, (len(password), password)
    assert KESTRA_1_1_5.fullmatch(password), f"Kestra 1.1.5's regexp refuses {password!r}"
    assert not kestra_2(password), f"Kestra 2's rules refuse {password!r}: it lacks {kestra_2(password)}"
    for name, policy in POLICIES.items():
        assert policy is None or policy.allows(password), f"the reference server's {name} refuses {password!r}"
    check_password(password)


@settings(max_examples=300)
@given(strategies.passwords())
def test_passwords_pass_every_policy_kestra_ships(password: str) -> None:
    assert_every_policy_accepts(password)


def test_the_suites_own_passwords_pass_every_policy_kestra_ships() -> None:
    for _ in range(200):
        assert_every_policy_accepts(strong_password())


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


@settings(max_examples=300)
@given(strategies.person_names)
def test_names_fit_and_stay_in_the_basic_multilingual_plane(name: str) -> None:
    """Java counts UTF-16 units and some databases refuse the rest: a valid name uses the BMP only."""
    assert 1 <= len(name.encode("utf-16-le")) // 2 <= specs.policy().name_max_length
    assert all(ord(c) <= 0xFFFF for c in name), [hex(ord(c)) for c in name if ord(c) > 0xFFFF]


@settings(max_examples=300)
@given(strategies.token_descriptions)
def test_token_descriptions_stay_in_the_basic_multilingual_plane(description: str) -> None:
    assert all(ord(c) <= 0xFFFF for c in description)


@settings(max_examples=20)
@given(st.data())
def test_user_requests_are_complete(data: st.DataObject) -> None:
    body = data.draw(strategies.create_user_requests(NAMES, ["main"], ["g1", "g2"]))
    required = specs.openapi()["components"]["schemas"]["IAMUserController.ApiCreateOrUpdateUserRequest"]["required"]
    assert set(required) <= body.keys()
    assert set(body["groups"]) <= {"g1", "g2"}
