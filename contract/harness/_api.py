"""The suite's one way to talk to the target: named operations, recorded exchanges, a safety guard.

Every request passes the SafetyGuard before it is sent, and every creation the server
confirms goes into the ledger before the caller sees the answer.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

import specs
from contract.harness._creations import CREATING_OPERATIONS, MissingId, created_entries, is_unresolved
from contract.harness._exchange import ContractViolation, Exchange
from contract.harness._guard import MISSING_PREFIX, SafetyGuard, UnsafeRequest
from contract.harness._ledger import Entry, Ledger
from contract.harness._logins import LoginBook
from contract.harness._lookup import users_with_email
from contract.harness._target import Credentials, Target

__all__ = ["ANONYMOUS", "MISSING_PREFIX", "Api", "SafetyGuard", "UnsafeRequest", "missing_id"]

#: How requests with a method the path does not document are labelled in records.
UNDOCUMENTED_METHOD = "(undocumented method)"

ANONYMOUS = Credentials()
_NOT_SET: Any = object()


def missing_id(tag: str = "x") -> str:
    """An id no server holds; `tag` (letters, digits, - and _) says what it stands for."""
    return f"{MISSING_PREFIX}{tag}-{secrets.token_hex(4)}"


def _sent_body(json: Any, content: bytes | None) -> Any:
    """What the request body says, as the guard and the ledger read it."""
    if json is not _NOT_SET:
        return json
    if content:
        try:
            return jsonlib.loads(content)
        except ValueError:
            return None
    return None


@dataclass
class Api:
    target: Target
    ledger: Ledger
    guard: SafetyGuard
    observers: list[Callable[[Exchange], None]] = field(default_factory=list)
    timeout: float = 30.0
    #: Which password logins may be sent (built from the target and guard when not given).
    logins: LoginBook | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        if self.logins is None:
            self.logins = LoginBook(self.target.credentials, self.guard.prefix)

    @property
    def login_book(self) -> LoginBook:
        assert self.logins is not None
        return self.logins

    def vet(
        self,
        operation: specs.Operation,
        path: Mapping[str, Any],
        *,
        body: Any,
        authorization: str | None,
        as_suite: bool,
    ) -> None:
        """Raise UnsafeRequest unless this request may be sent: the guard's rules and the login budget."""
        self.guard.check(operation, path, body=body, as_suite=as_suite)
        self.login_book.check(authorization)

    def notify(self, exchange: Exchange) -> None:
        """Every exchange, however it was sent: the login book first, then the observers."""
        self.login_book.observe(exchange.request.headers.get("Authorization"), exchange.status)
        for observer in list(self.observers):
            observer(exchange)

    @property
    def client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(base_url=self.target.base_url, timeout=self.timeout)
            self._local.client = client
        return client

    def operation(self, operation_id: str) -> specs.Operation:
        return _OPERATIONS[operation_id]

    def call(
        self,
        operation_id: str,
        path: Mapping[str, str] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _NOT_SET,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        as_: Credentials | None = None,
    ) -> Exchange:
        """Send one documented operation, as the suite's identity unless `as_` or an Authorization header differ."""
        operation = self.operation(operation_id)
        path = dict(path or {})
        if "tenant" in operation.path and "tenant" not in path:
            path["tenant"] = self.target.tenant
        sent_headers = httpx.Headers(headers or {})
        credentials = self.target.credentials if as_ is None else as_
        if credentials is not ANONYMOUS and "Authorization" not in sent_headers:
            sent_headers["Authorization"] = credentials.header
        body = _sent_body(json, content)
        authorization = sent_headers.get("Authorization")
        self.vet(
            operation,
            path,
            body=body,
            authorization=authorization,
            as_suite=authorization == self.target.credentials.header,
        )
        url = operation.path.format(**{k: quote(str(v), safe="") for k, v in path.items()})
        kwargs: dict[str, Any] = {"params": params, "headers": sent_headers}
        if json is not _NOT_SET:
            kwargs["json"] = json
        elif content is not None:
            kwargs["content"] = content
        request = self.client.build_request(operation.method, url, **kwargs)
        response = self.client.send(request)
        response.read()
        exchange = Exchange(operation_id, request, response)
        if operation_id in CREATING_OPERATIONS and response.is_success:
            exchange = self.book_creation(exchange, path, body)
        self.notify(exchange)
        return exchange

    def book_creation(self, exchange: Exchange, path: Mapping[str, str], body: Any) -> Exchange:
        """Write what a confirmed creation made to the ledger before anything can fail.

        A user the server made but no listing shows, or a duplicate it should have refused,
        is still written down (by email, or each copy), then reported as a violation.
        """
        try:
            payload = exchange.json() if exchange.response.content else None
        except ValueError:
            payload = None
        try:
            entries = created_entries(exchange.operation, path, body, payload, self.find_user_ids)
        except MissingId as error:
            raise ContractViolation("the id of what the request created", exchange, str(error)) from None
        recorded = [self.ledger.record(entry) for entry in entries]
        email = recorded[0].label
        if is_unresolved(recorded[0]):
            raise ContractViolation(
                f"the new user {email} on some page of listUsers after {exchange.operation}", exchange
            )
        if len(recorded) > 1:
            raise ContractViolation(
                f"exactly one user with username {email} after {exchange.operation}",
                exchange,
                f"{len(recorded)} users carry it: {', '.join(e.id for e in recorded)}",
            )
        return replace(exchange, created=recorded[0])

    def find_user_ids(self, email: str) -> list[str]:
        """The ids of the users whose username is `email` (without case), never trusting `q` alone."""
        return users_with_email(self, email)

    def adopt_users(self, email: str) -> list[Entry]:
        """Users with this run-prefixed email that a refused create made anyway: into the ledger, for cleanup."""
        if not email.casefold().startswith(self.guard.prefix.casefold()):
            return []
        return [self.ledger.record(Entry("user", user_id, label=email)) for user_id in self.find_user_ids(email)]

    def send_raw(self, method: str, url: str) -> Exchange:
        """A request outside the documented operations, aimed only at ids that cannot exist."""
        named = [
            segment
            for segment in url.split("/")
            if segment and segment not in _STATIC_SEGMENTS and segment != self.target.tenant
        ]
        if method not in _SAFE_METHODS and self.guard.read_only:
            raise UnsafeRequest(f"read-only run: refusing {method} {url}")
        if method in _ID_ONLY_METHODS and not named:
            raise UnsafeRequest(f"refusing {method} {url}: a path without ids may name a whole collection")
        if method not in _SAFE_METHODS and not all(segment.startswith(MISSING_PREFIX) for segment in named):
            raise UnsafeRequest(f"refusing {method} {url}: it names ids this run did not make up")
        headers = {"Authorization": self.target.credentials.header}
        response = self.client.request(method, url, headers=headers)
        exchange = Exchange(UNDOCUMENTED_METHOD, response.request, response)
        self.notify(exchange)
        return exchange

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()


_OPERATIONS = specs.operations_by_id()
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Methods that act on what the path names: never sent to a path that names no id at all.
_ID_ONLY_METHODS = frozenset({"DELETE", "PUT", "PATCH"})
_STATIC_SEGMENTS = frozenset(
    segment for op in _OPERATIONS.values() for segment in op.path.split("/") if segment and "{" not in segment
)
