"""HTTP exchanges the suite sends, and how a failure shows them to people."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from contract.harness.records._ledger import Entry

__all__ = ["ContractViolation", "Exchange", "curl", "expect_status"]

_SECRET_HEADERS = {"authorization", "cookie", "x-api-key"}
_SECRET_FIELDS = re.compile(r'("(?:password|oldPassword|newPassword|fullToken)"\s*:\s*)"[^"]*"')


def _mask_body(text: str) -> str:
    return _SECRET_FIELDS.sub(r'\1"***"', text)


def curl(request: httpx.Request) -> str:
    """A curl line that replays the request, with credentials and secrets masked."""
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent", "accept"):
            continue
        if name.lower() in _SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} ***".strip()
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
    allowed_set = {allowed} if isinstance(allowed, int) else set(allowed)
    if exchange.status not in allowed_set:
        codes = " or ".join(str(c) for c in sorted(allowed_set))
        raise ContractViolation(f"status {codes}" + (f" ({what})" if what else ""), exchange)
    return exchange


def body_text(payload: Mapping[str, Any] | list[Any] | None) -> str:
    return json.dumps(payload, ensure_ascii=False)
