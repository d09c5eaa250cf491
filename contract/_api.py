"""The suite's one way to talk to the target: named operations, recorded exchanges, a safety guard."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

import specs
from contract._exchange import Exchange
from contract._ledger import Kind, Ledger
from contract._target import Credentials, Target

__all__ = ["ANONYMOUS", "MISSING_PREFIX", "Api", "UnsafeRequest", "missing_id"]

#: How requests with a method the path does not document are labelled in records.
UNDOCUMENTED_METHOD = "(undocumented method)"

#: Ids that no server holds: the suite may aim anything at them.
MISSING_PREFIX = "kct-missing-"
ANONYMOUS = Credentials()
_NOT_SET: Any = object()

#: Which ledger kind a path parameter names, per operation family.
_PATH_KINDS: dict[str, Kind] = {"tokenId": "token"}


def missing_id(tag: str = "x") -> str:
    return f"{MISSING_PREFIX}{tag}-{secrets.token_hex(4)}"


class UnsafeRequest(RuntimeError):
    """The suite was about to change something it did not create. A bug in the suite."""


def _kind_of(operation: specs.Operation, param: str) -> Kind | None:
    if param in _PATH_KINDS:
        return _PATH_KINDS[param]
    if param == "id":
        return (
            "service_account"
            if "/service-accounts/" in operation.path
            else ("group" if "/groups/" in operation.path else "user")
        )
    return None


@dataclass
class SafetyGuard:
    """Refuses any request that could change an object this run did not create."""

    ledger: Ledger
    read_only: bool = False

    def check(self, operation: specs.Operation, path: Mapping[str, str], as_: Credentials | None) -> None:
        mutating = operation.method != "GET"
        if self.read_only and mutating and operation.operation_id != "autocompleteUsers":
            raise UnsafeRequest(f"read-only run: refusing {operation.operation_id}")
        if not mutating:
            return
        if operation.operation_id == "updateCurrentUserPassword" and as_ is None:
            raise UnsafeRequest("refusing to change the password of the identity the suite runs as")
        for param, value in path.items():
            kind = _kind_of(operation, param)
            if kind is None or str(value).startswith(MISSING_PREFIX):
                continue
            if not self.ledger.owns(kind, str(value)):
                raise UnsafeRequest(f"refusing {operation.operation_id} on {param}={value}: not created by this run")


@dataclass
class Api:
    target: Target
    ledger: Ledger
    guard: SafetyGuard
    observers: list[Callable[[Exchange], None]] = field(default_factory=list)
    timeout: float = 30.0
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
        """Send one documented operation, as the suite's identity unless `as_` says otherwise."""
        operation = self.operation(operation_id)
        path = dict(path or {})
        if "tenant" in operation.path and "tenant" not in path:
            path["tenant"] = self.target.tenant
        self.guard.check(operation, path, as_)
        url = operation.path.format(**{k: quote(str(v), safe="") for k, v in path.items()})
        sent_headers = dict(headers or {})
        credentials = self.target.credentials if as_ is None else as_
        if credentials is not ANONYMOUS and "Authorization" not in sent_headers:
            sent_headers["Authorization"] = credentials.header
        kwargs: dict[str, Any] = {"params": params, "headers": sent_headers}
        if json is not _NOT_SET:
            kwargs["json"] = json
        elif content is not None:
            kwargs["content"] = content
        request = self.client.build_request(operation.method, url, **kwargs)
        response = self.client.send(request)
        response.read()
        exchange = Exchange(operation_id, request, response)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def send_raw(self, method: str, url: str) -> Exchange:
        """A request outside the documented operations, aimed only at ids that cannot exist."""
        named = [
            segment
            for segment in url.split("/")
            if segment and segment not in _STATIC_SEGMENTS and segment != self.target.tenant
        ]
        if method != "GET" and not all(segment.startswith(MISSING_PREFIX) for segment in named):
            raise UnsafeRequest(f"refusing {method} {url}: it names ids this run did not make up")
        headers = {"Authorization": self.target.credentials.header}
        response = self.client.request(method, url, headers=headers)
        exchange = Exchange(UNDOCUMENTED_METHOD, response.request, response)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()


_OPERATIONS = specs.operations_by_id()
_STATIC_SEGMENTS = frozenset(
    segment for op in _OPERATIONS.values() for segment in op.path.split("/") if segment and "{" not in segment
)
