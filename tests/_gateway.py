"""An auth gateway in front of the reference server: it lets through only requests that carry its header.

Like the gateways staging servers sit behind (a shared key, an access-proxy token), it
answers a request without the header itself, with a 403 page that never reaches the API.
It counts what it let through and what it refused, so a test can tell that every
request of a run carried the header.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests._relay import Answer, loopback_server, relay, serving, url_of


class Gateway:
    def __init__(self, upstream: str, header: str, value: str) -> None:
        self.header, self.value = header, value
        self.passed = 0
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(base_url=upstream, timeout=30)
        self._server = loopback_server(self.answer)

    @property
    def url(self) -> str:
        return url_of(self._server)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        given = {name.lower(): value for name, value in headers.items()}
        if given.get(self.header.lower()) != self.value:
            with self._lock:
                self.refused.append(f"{method} {path}")
            return 403, {"Content-Type": "text/html"}, b"<html><body>403 Forbidden: gateway key missing</body></html>"
        with self._lock:
            self.passed += 1
        return relay(self._client, method, path, headers, body, drop=frozenset({self.header}))[1]

    @contextmanager
    def running(self) -> Iterator[Gateway]:
        with serving(self._server, self._client):
            yield self
