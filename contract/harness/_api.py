"""The suite's one way to talk to the target: named operations, recorded exchanges, a safety guard.

Every request passes the SafetyGuard before it is sent, and every creation the server
confirms goes into the ledger before the caller sees the answer. Reads are sent again when
the infrastructure rather than the API answered (`_retry`); what stays unstable raises
`UnstableTarget` and is never shown to observers as an answer of the API.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

import specs
from contract.harness._creations import CREATING_OPERATIONS, MissingId, created_entry
from contract.harness._exchange import ContractViolation, Exchange, curl, expect_status
from contract.harness._guard import MISSING_PREFIX, SafetyGuard, UnsafeRequest
from contract.harness._ledger import Ledger
from contract.harness._retry import DEFAULT_RETRY, RetryPolicy, send_with_retries
from contract.harness._settle import Settle
from contract.harness._target import Credentials, Target, httpx_answer
from contract.harness._unstable import UnstableTarget, give_up

__all__ = ["ANONYMOUS", "MISSING_PREFIX", "READ_OPERATIONS", "Api", "SafetyGuard", "UnsafeRequest", "missing_id"]

#: How requests with a method the path does not document are labelled in records.
UNDOCUMENTED_METHOD = "(undocumented method)"

ANONYMOUS = Credentials()
_NOT_SET: Any = object()

#: Transport errors after which the request surely never reached the server.
_NEVER_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


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
    #: Told (operation, reason) for each request that met an unstable target instead of the API.
    unstable_observers: list[Callable[[str, str], None]] = field(default_factory=list)
    timeout: float = 30.0
    retry: RetryPolicy = DEFAULT_RETRY
    settle: Settle = field(default_factory=Settle)
    #: Whether a search showed a new user late (then batching creations pays off).
    search_lagged: bool = False
    _local: threading.local = field(default_factory=threading.local, repr=False)

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
        exchange, path, body = self._exchange(operation_id, path, params, json, content, headers, as_)
        if operation_id in CREATING_OPERATIONS and exchange.response.is_success:
            exchange = self._record_creation(exchange, path, body, self.find_user_id)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def create_users(self, bodies: Sequence[dict[str, Any]]) -> list[Exchange]:
        """CreateUser for each body, as `call` would; the ids of those created without an answer body are
        found together, so a lagging search is waited for once for all of them, not once per user.
        """
        sent = [self._exchange("createUser", None, None, body, None, None, None) for body in bodies]
        unnamed = [str(body["email"]) for exchange, _, body in sent if _unnamed_creation(exchange)]
        found = self.find_user_ids(unnamed) if unnamed else {}

        def find(email: str) -> str:
            if email not in found:
                raise MissingId(self._not_found(email))
            return found[email]

        exchanges: list[Exchange] = []
        problem: ContractViolation | None = None
        for exchange, path, body in sent:
            if exchange.response.is_success:
                try:
                    exchange = self._record_creation(exchange, path, body, find)
                except ContractViolation as error:
                    problem = problem or error
            exchanges.append(exchange)
        for exchange in exchanges:
            for observer in self.observers:
                observer(exchange)
        if problem is not None:
            raise problem
        return exchanges

    def _exchange(
        self,
        operation_id: str,
        path: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        json: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        as_: Credentials | None,
    ) -> tuple[Exchange, dict[str, str], Any]:
        """Guard and send one operation: the exchange, the path it was sent to and the body as read."""
        operation = self.operation(operation_id)
        path = dict(path or {})
        if "tenant" in operation.path and "tenant" not in path:
            path["tenant"] = self.target.tenant
        sent_headers = httpx.Headers(headers or {})
        credentials = self.target.credentials if as_ is None else as_
        if credentials is not ANONYMOUS and "Authorization" not in sent_headers:
            sent_headers["Authorization"] = credentials.header
        body = _sent_body(json, content)
        as_suite = sent_headers.get("Authorization") == self.target.credentials.header
        self.guard.check(operation, path, body=body, as_suite=as_suite)
        url = operation.path.format(**{k: quote(str(v), safe="") for k, v in path.items()})
        kwargs: dict[str, Any] = {"params": params, "headers": sent_headers}
        if json is not _NOT_SET:
            kwargs["json"] = json
        elif content is not None:
            kwargs["content"] = content
        request = self.client.build_request(operation.method, url, **kwargs)
        safe = operation.method == "GET" or operation_id in READ_OPERATIONS or _aims_at_missing(path)
        response = self.send(operation_id, request, safe=safe)
        return Exchange(operation_id, request, response), path, body

    def send(self, operation: str, request: httpx.Request, *, safe: bool) -> httpx.Response:
        """Send `request`, again if safe; an unstable target is reported and ends the example or test."""

        def once() -> httpx.Response:
            response = self.client.send(request)
            response.read()
            return response

        try:
            return send_with_retries(
                once,
                httpx_answer,
                safe=safe,
                transport_errors=(httpx.TransportError,),
                never_sent=_NEVER_SENT,
                policy=self.retry,
            )
        except UnstableTarget as error:
            for observer in self.unstable_observers:
                observer(operation, error.reason)
            give_up(UnstableTarget(error.reason, unreachable=error.unreachable, where=f"{operation}\n{curl(request)}"))

    def _record_creation(
        self, exchange: Exchange, path: Mapping[str, str], body: Any, find_user_id: Callable[[str], str]
    ) -> Exchange:
        payload = _payload(exchange)
        try:
            entry = created_entry(exchange.operation, path, body, payload, find_user_id)
        except MissingId as error:
            raise ContractViolation("the id of what the request created", exchange, str(error)) from None
        return replace(exchange, created=self.ledger.record(entry))

    def find_user_id(self, email: str) -> str:
        """The id of the one user whose username is `email` (compared without case), once search shows it."""
        found = self.find_user_ids([email])
        if email not in found:
            raise MissingId(self._not_found(email))
        return found[email]

    def _not_found(self, email: str) -> str:
        return f"no user with username {email} in listUsers q=<email> within the {self.settle.window:g} s settle window"

    def find_user_ids(self, emails: Sequence[str]) -> dict[str, str]:
        """Email -> id of the one user with that username, for each that search shows within the settle window.

        All are read together on every poll, so the window is waited for once, not once per email. A
        listUsers answer other than 200 is a violation at once (that is no lag).
        """
        settled = self.settle.until(lambda: self.user_ids_now(emails), lambda ids: len(ids) == len(set(emails)))
        if settled.waited:
            self.search_lagged = True
        return settled.value

    def user_ids_now(self, emails: Sequence[str]) -> dict[str, str]:
        """Email -> id of the one user with that username, as search shows it now (one read each, no waiting)."""
        ids: dict[str, str] = {}
        for email in emails:
            listing = expect_status(
                self.call("listUsers", params={"q": email, "page": 1, "size": 10}), 200, "listUsers by email"
            )
            payload = _payload(listing)
            results = payload.get("results", []) if isinstance(payload, dict) else []
            wanted = email.casefold()
            matches = [u for u in results if isinstance(u, dict) and str(u.get("username", "")).casefold() == wanted]
            if len(matches) == 1:
                ids[email] = str(matches[0].get("id"))
        return ids

    def send_raw(self, method: str, url: str) -> Exchange:
        """A request outside the documented operations, aimed only at ids that cannot exist."""
        named = [
            segment
            for segment in url.split("/")
            if segment and segment not in _STATIC_SEGMENTS and segment != self.target.tenant
        ]
        if method != "GET" and self.guard.read_only:
            raise UnsafeRequest(f"read-only run: refusing {method} {url}")
        if method != "GET" and not all(segment.startswith(MISSING_PREFIX) for segment in named):
            raise UnsafeRequest(f"refusing {method} {url}: it names ids this run did not make up")
        headers = {"Authorization": self.target.credentials.header}
        request = self.client.build_request(method, url, headers=headers)
        # Safe to repeat: a change is only ever aimed at ids that cannot exist (checked above).
        response = self.send(UNDOCUMENTED_METHOD, request, safe=True)
        exchange = Exchange(UNDOCUMENTED_METHOD, request, response)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()


def _payload(exchange: Exchange) -> Any:
    """The answer's JSON, or None when it is empty or not JSON."""
    try:
        return exchange.json() if exchange.response.content else None
    except ValueError:
        return None


def _aims_at_missing(path: Mapping[str, str]) -> bool:
    """The path names an id (or tenant) that cannot exist: the request finds nothing to change, so it
    may be repeated after an unstable answer.
    """
    return any(str(value).startswith(MISSING_PREFIX) for value in path.values())


def _unnamed_creation(exchange: Exchange) -> bool:
    """A createUser the server confirmed without saying the new id: it must be found by email."""
    payload = _payload(exchange)
    return exchange.response.is_success and not (isinstance(payload, dict) and isinstance(payload.get("id"), str))


_OPERATIONS = specs.operations_by_id()
#: Operations that change nothing, whatever their method (autocompleteUsers is a search sent as POST).
READ_OPERATIONS = frozenset(
    {op.operation_id for op in _OPERATIONS.values() if op.method == "GET"} | {"autocompleteUsers"}
)
_STATIC_SEGMENTS = frozenset(
    segment for op in _OPERATIONS.values() for segment in op.path.split("/") if segment and "{" not in segment
)
