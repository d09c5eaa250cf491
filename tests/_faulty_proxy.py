"""A proxy in front of the reference server that misbehaves the way networks and servers do.

It stands for a faulty server in the safety tests: answers that are lost after the
server acted, transient 503s, deletions that always fail; and for a gateway that loses
one chosen answer (`lose_answer`), before or after the server acted on the request. Faults can be switched off
while it runs, so a later sweep reaches the same base URL. It also records every
request, so a test can tell what a run sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests._relay import Answer, loopback_server, relay, serving, url_of

#: createUser reaches the server, but the suite gets a 500 (no confirmation, no id).
LOSE_CREATED_USERS = "lose-created-users"
#: The first DELETE of every path answers 503 without reaching the server.
FLAKY_DELETES = "flaky-deletes"
#: Deleting a service account always answers 500.
STUCK_SERVICE_ACCOUNTS = "stuck-service-accounts"

#: Listings (listUsers, token lists) answer 403, as a server whose read permissions broke.
LISTS_FORBIDDEN = "lists-forbidden"
#: Listings answer 200 with a JSON object that is not a page (no `results`).
LISTS_UNREADABLE = "lists-unreadable"

#: A user's new token comes back with its fullToken wrapped in a list: an SDK cannot read it, and says what it got.
TOKEN_IN_A_LIST = "token-in-a-list"

_USER_TOKENS = re.compile(r"^/api/v1/users/[^/]+/api-tokens$")
_LISTING = re.compile(r"^/api/v1/(users|(?:[^/]+/)?service-accounts/[^/]+/api-tokens|users/[^/]+/api-tokens)$")

#: A gateway's answer page: the API's answer, if any, is lost.
GATEWAY_PAGE = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"

_SERVICE_ACCOUNT = re.compile(r"^/api/v1/service-accounts/[^/]+$")


class FaultyProxy:
    def __init__(self, upstream: str, faults: set[str]) -> None:
        self.upstream = upstream
        self.faults = set(faults)
        self.seen_deletes: set[str] = set()
        self.injected: list[str] = []
        #: (method, path) of every request that came through.
        self.requests: list[tuple[str, str]] = []
        #: Answers to lose, each once: (method, path pattern, whether the server acts on it first).
        self.lost: list[tuple[str, re.Pattern[str], bool]] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(base_url=upstream, timeout=30)
        self.server = loopback_server(self.answer)
        self.url = url_of(self.server)

    def _fault(self, name: str, what: str) -> bool:
        with self._lock:
            if name in self.faults:
                self.injected.append(f"{name}: {what}")
                return True
            return False

    def lose_answer(self, method: str, path: str, *, reaches_server: bool) -> None:
        """The next `method` request whose path matches `path` gets a gateway's 504 page instead of the
        API's answer: after the server acted on it (`reaches_server`), or without it ever arriving.
        """
        with self._lock:
            self.lost.append((method, re.compile(path), reaches_server))

    def _losing(self, method: str, bare: str) -> bool | None:
        with self._lock:
            for rule in self.lost:
                if rule[0] == method and rule[1].fullmatch(bare):
                    self.lost.remove(rule)
                    self.injected.append(f"lost answer: {method} {bare}")
                    return rule[2]
        return None

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        bare = path.split("?", 1)[0]
        with self._lock:
            self.requests.append((method, bare))
        losing = self._losing(method, bare)
        if losing is not None:
            if losing:
                relay(self._client, method, path, headers, body)
            return 504, {"Content-Type": "text/html"}, GATEWAY_PAGE
        if method == "DELETE":
            with self._lock:
                first = bare not in self.seen_deletes
                self.seen_deletes.add(bare)
            if first and self._fault(FLAKY_DELETES, path):
                return 503, {"Content-Type": "application/json"}, b'{"message": "try again"}'
            if _SERVICE_ACCOUNT.match(bare) and self._fault(STUCK_SERVICE_ACCOUNTS, path):
                return 500, {"Content-Type": "application/json"}, b'{"message": "stuck"}'
        if method == "GET" and _LISTING.match(bare):
            if self._fault(LISTS_FORBIDDEN, path):
                return 403, {"Content-Type": "application/json"}, b'{"message": "Forbidden"}'
            if self._fault(LISTS_UNREADABLE, path):
                return 200, {"Content-Type": "application/json"}, b'{"items": []}'
        response, relayed = relay(self._client, method, path, headers, body)
        new_token = method == "POST" and _USER_TOKENS.match(bare) and response.is_success
        if new_token and self._fault(TOKEN_IN_A_LIST, path):
            payload = response.json()
            payload["fullToken"] = [payload.get("fullToken")]
            return response.status_code, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        created_user = method == "POST" and bare == "/api/v1/users" and response.is_success
        if created_user and self._fault(LOSE_CREATED_USERS, path):
            return 500, {"Content-Type": "application/json"}, b'{"message": "lost"}'
        return relayed


@contextmanager
def faulty_proxy(upstream: str, *faults: str) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(upstream, set(faults))
    with serving(proxy.server, proxy._client):
        yield proxy
