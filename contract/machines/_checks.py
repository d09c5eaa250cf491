"""Checks the state machines share: response shapes, credential probes, secrets, listing pages.

Each check raises ContractViolation with the exchange that broke it, so a shrunk failure
ends with the HTTP request and answer of the failing step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import specs
from contract.harness import Api, ContractViolation, Credentials, Exchange, Problem, expect_status, missing_id

__all__ = [
    "TOKEN_CREATING_OPERATIONS",
    "Access",
    "SecretWatch",
    "check",
    "expect_access",
    "fail",
    "json_array",
    "json_object",
    "listed_user_ids",
    "user_pages_problem",
]

POLICY = specs.policy()

#: The only responses in which a `fullToken` may appear.
TOKEN_CREATING_OPERATIONS = frozenset(
    {
        "createApiTokensForUser_1",
        "createApiTokensForUser",
        "createApiTokensForUserWithTenant",
        "createApiTokenForCurrentUser",
    }
)

#: What a credential should get: refused (401), accepted without rights (403), accepted as superadmin.
Access = Literal["refused", "forbidden", "superadmin"]


def fail(expected: str, exchange: Exchange | None = None, detail: str = "") -> NoReturn:
    raise ContractViolation(expected, exchange, detail)


def check(condition: bool, expected: str, exchange: Exchange | None = None, detail: str = "") -> None:
    if not condition:
        fail(expected, exchange, detail)


def json_object(exchange: Exchange, what: str) -> dict[str, Any]:
    payload = exchange.payload()
    if not isinstance(payload, dict):
        fail(f"a JSON object ({what})", exchange)
    return payload


def json_array(exchange: Exchange, what: str) -> list[Any]:
    payload = exchange.payload()
    if not isinstance(payload, list):
        fail(f"a JSON array ({what})", exchange)
    return payload


# -- credentials -----------------------------------------------------------------------


def expect_access(api: Api, credentials: Credentials, access: Access, what: str, own_id: str | None = None) -> None:
    """Probe one credential with `getUser`, a Superadmin-only read.

    `own_id` is the identity's own user id (a superadmin then gets 200); without it the
    probe asks for an id that does not exist (a superadmin then gets 404).
    """
    target = own_id or missing_id("probe")
    exchange = api.call("getUser", {"id": target}, as_=credentials)
    if access == "refused":
        expect_status(exchange, POLICY.unauthenticated_status, f"{what}: the credential must be refused")
    elif access == "forbidden":
        expect_status(exchange, POLICY.forbidden_status, f"{what}: a valid credential without superadmin rights")
    elif own_id is not None:
        expect_status(exchange, 200, f"{what}: a superadmin reads its own user")
    else:
        expect_status(exchange, POLICY.unknown_id_statuses, f"{what}: a superadmin asking for an unknown id")


# -- secrets ---------------------------------------------------------------------------


@dataclass
class SecretWatch:
    """An Api observer: no response may hold a password, or a fullToken after its creating response."""

    passwords: set[str] = field(default_factory=set)
    full_tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def password(self, value: str | None) -> None:
        if value:
            with self._lock:
                self.passwords.add(value)

    def full_token(self, value: str) -> None:
        with self._lock:
            self.full_tokens.add(value)

    def __call__(self, exchange: Exchange) -> None:
        text = exchange.response.text
        if not text:
            return
        with self._lock:
            passwords, full_tokens = set(self.passwords), set(self.full_tokens)
        for token in full_tokens:
            if token in text:
                fail("no fullToken outside the response that created the token", exchange)
        try:
            payload = exchange.json()
        except ValueError:
            payload = None
        for key, value in _walk(payload):
            if key is not None and "password" in key.lower() and isinstance(value, str) and value:
                fail(f"no password in a response (field {key!r})", exchange)
            if key == "fullToken" and exchange.operation not in TOKEN_CREATING_OPERATIONS and value:
                fail("a fullToken only in the response that created the token", exchange)
            if isinstance(value, str) and value in passwords:
                fail(f"no password in a response (field {key!r} holds one)", exchange)
        if exchange.status >= 400 and any(p in text for p in passwords):
            fail("no password in a response (the error message repeats one)", exchange)


def _walk(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    yield key, value
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _walk(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)


# -- listing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    exchange: Exchange
    results: list[dict[str, Any]]
    total: int


def _page(api: Api, q: str, page: int, size: int) -> Page:
    exchange = expect_status(
        api.call("listUsers", params={"q": q, "page": page, "size": size}), 200, f"listUsers page {page}"
    )
    body = json_object(exchange, "listUsers answers a page")
    results, total = body.get("results"), body.get("total")
    if not isinstance(results, list):
        fail("`results` is an array", exchange)
    if not isinstance(total, int) or isinstance(total, bool):
        fail("`total` is an integer", exchange)
    check(all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in results), "each result has an id", exchange)
    return Page(exchange, results, total)


def user_pages_problem(api: Api, q: str, size: int, expected: set[str]) -> Problem:
    """Every page of `listUsers?q=` against the users expected: totals, page sizes, no overlap, all of them.

    Returns what is wrong (for `PendingChecks`: a lagging search may not show the last writes yet).
    """
    expected_total = len(expected)
    pages = -(-expected_total // size) if expected_total else 0
    seen: dict[str, dict[str, Any]] = {}
    page = None
    for number in range(1, pages + 2):
        page = _page(api, q, number, size)
        if page.total != expected_total:
            return f"total {expected_total}: the number of users matching q={q!r}", page.exchange, f"got {page.total}"
        expected_count = min(size, expected_total - (number - 1) * size) if number <= pages else 0
        if len(page.results) != expected_count:
            what = f"{expected_count} results on page {number} of size {size} (total {expected_total})"
            return what, page.exchange, ""
        for result in page.results:
            if result["id"] in seen:
                return f"user {result['id']} on one page only", page.exchange, ""
            seen[result["id"]] = result
    if set(seen) != expected:
        what = f"the pages of q={q!r} together hold each of the expected users once"
        return what, page.exchange if page else None, f"listed {sorted(seen)}, expected {sorted(expected)}"
    return None


def listed_user_ids(api: Api, q: str, size: int = 100) -> tuple[set[str], Page]:
    """The ids of one page of `listUsers?q=` (callers keep the matches under `size`)."""
    page = _page(api, q, 1, size)
    return {r["id"] for r in page.results}, page
