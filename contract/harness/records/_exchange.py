"""HTTP exchanges the suite sends, and how a failure shows them to people."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

import specs
from contract.harness.records._ledger import Entry

__all__ = ["ContractViolation", "Exchange", "curl", "expect_status", "listed_results", "superadmin_flag"]

#: Headers a curl line shows as sent; every other header's value may be a credential (an auth
#: gateway's key given with --header, a cookie) and is shown as `***`.
_SHOWN_HEADERS = {"content-type"}
#: Headers whose scheme is worth showing (`Basic ***`, `Bearer ***`).
_SCHEME_HEADERS = {"authorization", "proxy-authorization"}
_SECRET_FIELDS = re.compile(r'("(?:password|oldPassword|newPassword|fullToken)"\s*:\s*)"[^"]*"')


def _mask_body(text: str) -> str:
    return _SECRET_FIELDS.sub(r'\1"***"', text)


def curl(request: httpx.Request) -> str:
    """A curl line that replays the request, with credentials and secrets masked."""
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent", "accept"):
            continue
        if name.lower() in _SCHEME_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} ***".strip()
        elif name.lower() not in _SHOWN_HEADERS:
            value = "***"
        parts += ["-H", f"{name}: {value}"]
    body = request.content
    if body:
        parts += ["-d", _mask_body(body.decode("utf-8", "replace"))]
    parts.append(str(request.url))
    return shlex.join(parts)


@dataclass(frozen=True)
class Exchange:
    """One request the suite sent and what came back."""

    operation: str
    request: httpx.Request
    response: httpx.Response
    #: What the server confirmed this request created (already in the ledger).
    created: Entry | None = None
    #: Set when the answer was lost (a gateway's page, a timeout) and the outcome was read back
    #: instead: how. The response then only carries the documented success status, no body.
    resolved: str = ""

    @property
    def status(self) -> int:
        return self.response.status_code

    def json(self) -> Any:
        return self.response.json()

    def payload(self) -> Any:
        """The answer's JSON, or None when it is empty or not JSON."""
        try:
            return self.response.json() if self.response.content else None
        except ValueError:
            return None

    def describe(self) -> str:
        if self.resolved:
            return (
                f"operation: {self.operation}\n"
                f"request:   {curl(self.request)}\n"
                f"got:       no answer of the API; read back: {self.resolved}"
            )
        text = self.response.text
        excerpt = _mask_body(text[:500]) + ("…" if len(text) > 500 else "")
        content_type = self.response.headers.get("content-type", "-")
        return (
            f"operation: {self.operation}\n"
            f"request:   {curl(self.request)}\n"
            f"got:       {self.status} ({content_type}) {excerpt}"
        )


class ContractViolation(AssertionError):
    """The server broke the contract: what was expected, and the exchange that showed it."""

    def __init__(self, expected: str, exchange: Exchange | None = None, detail: str = "") -> None:
        lines = [f"expected:  {expected}"]
        if detail:
            lines.append(f"detail:    {detail}")
        if exchange is not None:
            lines.insert(0, exchange.describe())
        super().__init__("\n".join(lines))
        self.expected = expected
        self.exchange = exchange


def expect_status(exchange: Exchange, allowed: Collection[int] | int, what: str = "") -> Exchange:
    """The exchange, if its status is allowed; else a ContractViolation.

    A success status given as version 1 documents it for the exchange's operation stands for
    that operation's success in the active contract (2.x: createApiTokensForUser_1 answers 201,
    impersonate 200 or 303): the checks name the success once, the contract says what it is.
    """
    allowed_set = {allowed} if isinstance(allowed, int) else set(allowed)
    if isinstance(allowed, int) and _is_version_1_success(exchange.operation, allowed):
        allowed_set = set(specs.success_statuses(exchange.operation))
    if exchange.status not in allowed_set:
        codes = " or ".join(str(c) for c in sorted(allowed_set))
        raise ContractViolation(f"status {codes}" + (f" ({what})" if what else ""), exchange)
    return exchange


def listed_results(exchange: Exchange, what: str) -> list[dict[str, Any]]:
    """The `results` of a listing that answered 200 with an object holding that array.

    A listing that cannot be read is never evidence of absence: a check that something is
    not listed would pass whenever the list fails (403, 404, a 500, a body that is not a
    page). So anything else is a violation of its own: a documented read must work. (What
    the infrastructure answered instead of the API never gets here: `Api` gives up first.)
    """
    expect_status(exchange, 200, what)
    payload = exchange.payload()
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise ContractViolation(f"an object with a `results` array ({what})", exchange)
    return [item for item in results if isinstance(item, dict)]


def _is_version_1_success(operation_id: str, status: int) -> bool:
    operation = specs.contract(1).operations_by_id.get(operation_id)
    return operation is not None and status == operation.success_status and operation_id in specs.operations_by_id()


def body_text(payload: Mapping[str, Any] | list[Any] | None) -> str:
    return json.dumps(payload, ensure_ascii=False)


def superadmin_flag(view: Mapping[str, Any]) -> Any:
    """Whether a user (or summary) says it is a superadmin, as the active contract spells it.

    1.x: `superAdmin`. 2.x: `superAdmin` and/or `instanceOwner` (the sources differ); two
    fields that disagree read as both values, which equals no single flag. None: neither.
    """
    values = [view[name] for name in specs.policy().superadmin_fields if name in view]
    if not values:
        return None
    return values[0] if all(v == values[0] for v in values) else tuple(values)
