"""Checks that change nothing: safe against a production server (`pytest contract --read-only`).

They read the users that are there, call with no or wrong credentials, and ask for ids
that cannot exist. None of them needs, or sends, anything the SafetyGuard would refuse
in a read-only run.
"""

from __future__ import annotations

from typing import Any

import pytest

import specs
from contract.harness import ANONYMOUS, ContractViolation, Credentials, Exchange, Run, expect_status, missing_id
from strategies import EMAIL_DOMAIN

pytestmark = pytest.mark.smoke

PAGE_SIZE = 2
PAGES = 3
_SECRET_KEYS = {"password", "fullToken"}


def _secret_keys(payload: Any) -> set[str]:
    """Keys anywhere in a JSON payload that must never come back from the server."""
    if isinstance(payload, dict):
        found = _SECRET_KEYS & payload.keys()
        return found.union(*(_secret_keys(v) for v in payload.values()))
    if isinstance(payload, list):
        return set().union(*(_secret_keys(v) for v in payload))
    return set()


def _expect_error(exchange: Exchange, allowed: set[int] | frozenset[int] | int, what: str) -> None:
    expect_status(exchange, allowed, what)
    content_type = exchange.response.headers.get("content-type", "").split(";")[0].strip()
    if exchange.response.content and content_type not in specs.policy().error_content_types:
        raise ContractViolation(f"an empty error body or one of {sorted(specs.policy().error_content_types)}", exchange)


def _page(run: Run, page: int, **params: Any) -> dict[str, Any]:
    exchange = expect_status(
        run.api.call("listUsers", params={"page": page, "size": PAGE_SIZE, "sort": "username:asc", **params}),
        200,
        f"listUsers page {page}",
    )
    body = exchange.json()
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("results"), list)
        or not isinstance(body.get("total"), int)
    ):
        raise ContractViolation("a page object with a `results` array and an integer `total`", exchange)
    if len(body["results"]) > PAGE_SIZE:
        raise ContractViolation(f"at most {PAGE_SIZE} results on a page of size {PAGE_SIZE}", exchange)
    if _secret_keys(body):
        raise ContractViolation("no password or fullToken in a listing", exchange, str(_secret_keys(body)))
    return body


def test_list_users_pages_hold_distinct_users_up_to_the_total(run: Run) -> None:
    first = _page(run, 1)
    pages = [first] + [_page(run, n) for n in range(2, PAGES + 1)]
    ids = [str(user.get("id")) for page in pages for user in page["results"]]
    assert len(ids) == len(set(ids)), f"pages of listUsers overlap: {ids}"
    assert len(ids) == min(first["total"], PAGE_SIZE * PAGES), (
        f"{PAGES} pages of {PAGE_SIZE} held {len(ids)} users, total says {first['total']}"
    )
    for user in (u for page in pages for u in page["results"]):
        assert isinstance(user.get("id"), str), user
        assert isinstance(user.get("username"), str), user


def test_the_suites_own_identity_is_listed_and_readable(run: Run) -> None:
    username = run.target.credentials.username
    if username is None:
        pytest.skip("the suite runs with a token: which user it is, the API does not say")
    listing = _page(run, 1, q=username)
    matches = [u for u in listing["results"] if str(u.get("username", "")).casefold() == username.casefold()]
    if len(matches) != 1:
        raise ContractViolation(f"exactly one user {username} in listUsers q={username}", None, str(listing))
    exchange = expect_status(run.api.call("getUser", {"id": matches[0]["id"]}), 200, "getUser of the suite's identity")
    detail = exchange.json()
    assert str(detail.get("username", "")).casefold() == username.casefold(), detail
    assert detail.get("superAdmin") is True, f"the suite runs as a superadmin, getUser says {detail.get('superAdmin')}"
    assert not _secret_keys(detail), exchange.describe()


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(ANONYMOUS, id="none"),
        pytest.param(Credentials(username=f"{missing_id('login')}@{EMAIL_DOMAIN}", password="Wrong1234"), id="basic"),
        pytest.param(Credentials(token=missing_id("token")), id="bearer"),
    ],
)
def test_requests_without_valid_credentials_get_401(run: Run, credentials: Credentials) -> None:
    status = specs.policy().unauthenticated_status
    listing = run.api.call("listUsers", params={"page": 1, "size": 1}, as_=credentials)
    _expect_error(listing, status, "listUsers without valid credentials")
    _expect_error(run.api.call("getUser", {"id": missing_id()}, as_=credentials), status, "getUser, no credentials")


@pytest.mark.parametrize("operation", ["getUser", "listApiTokens_1", "getServiceAccount", "listApiTokens", "getGroup"])
def test_unknown_ids_are_not_found(run: Run, operation: str) -> None:
    exchange = run.api.call(operation, {"id": missing_id(operation)})
    _expect_error(exchange, specs.policy().unknown_id_statuses, f"{operation} of an id that does not exist")
