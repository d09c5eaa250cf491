"""Checks that change nothing: safe against a production server (`pytest contract --read-only`).

They read the users that are there, call with no or wrong credentials, and ask for ids
that cannot exist. None of them needs, or sends, anything the SafetyGuard would refuse
in a read-only run. The list they read is shared: other people create and delete users
meanwhile, so nothing here compares totals or pages with each other, and a lookup pages
until it finds its user.
"""

from __future__ import annotations

from typing import Any

import pytest

import specs
from contract.harness import (
    ANONYMOUS,
    ContractViolation,
    Credentials,
    Exchange,
    Run,
    cannot_run,
    expect_status,
    missing_id,
)
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


#: A lookup reads pages of LOOKUP_SIZE until it finds its user, at most LOOKUP_PAGES of them.
LOOKUP_SIZE = 50
LOOKUP_PAGES = 20


def _page(run: Run, page: int, size: int = PAGE_SIZE, **params: Any) -> dict[str, Any]:
    exchange = expect_status(
        run.api.call("listUsers", params={"page": page, "size": size, "sort": "username:asc", **params}),
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
    if len(body["results"]) > size:
        raise ContractViolation(f"at most {size} results on a page of size {size}", exchange)
    ids = [str(user.get("id")) for user in body["results"] if isinstance(user, dict)]
    if len(ids) != len(set(ids)):
        raise ContractViolation("each user once on a page", exchange)
    if (page - 1) * size + len(body["results"]) > body["total"] and body["results"]:
        raise ContractViolation(f"page {page} of size {size} within the total {body['total']}", exchange)
    if _secret_keys(body):
        raise ContractViolation("no password or fullToken in a listing", exchange, str(_secret_keys(body)))
    return body


def test_list_users_pages_are_well_formed(run: Run) -> None:
    """Each page holds at most `size` distinct users within its own total (pages of the shared list
    are read at different moments: they may overlap or miss users others created or deleted).
    """
    for number in range(1, PAGES + 1):
        for user in _page(run, number)["results"]:
            assert isinstance(user.get("id"), str), user
            assert isinstance(user.get("username"), str), user


def test_the_suites_own_identity_is_listed_and_readable(run: Run) -> None:
    username = run.target.credentials.username
    if username is None:
        cannot_run("the suite runs with a token, and the API does not say whose: its own user cannot be looked up")
    matches: list[dict[str, Any]] = []
    for number in range(1, LOOKUP_PAGES + 1):
        listing = _page(run, number, size=LOOKUP_SIZE, q=username)
        matches += [u for u in listing["results"] if str(u.get("username", "")).casefold() == username.casefold()]
        if matches or len(listing["results"]) < LOOKUP_SIZE:
            break
    if len(matches) != 1:
        raise ContractViolation(f"exactly one user {username} in listUsers q={username}", None, f"found {matches}")


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
