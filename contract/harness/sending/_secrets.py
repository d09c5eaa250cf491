"""Every secret the run used, so that no report, failure or printed example shows one.

An Api observer collects the passwords and tokens each request carried (Basic and Bearer
headers, password fields of bodies) and every `fullToken` an answer held; `mask` replaces
them with `***` in any text. Kept in memory only: writing them down would defeat the point.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contract.harness.records import Exchange
from contract.harness.sending._logins import basic_login
from contract.harness.sending._target import Credentials

__all__ = ["MIN_SECRET_LENGTH", "SecretBook"]

#: Shorter strings are no working password or token (every policy asks for 8), and masking
#: them would garble ordinary text.
MIN_SECRET_LENGTH = 6
_SECRET_FIELDS = frozenset({"password", "oldPassword", "newPassword", "fullToken"})


def _fields(value: Any, secret: bool = False) -> Iterator[str]:
    """Every string held by a secret field, however deep (a server may wrap a fullToken in a list)."""
    if isinstance(value, str):
        if secret:
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _fields(item, secret or key in _SECRET_FIELDS)
    elif isinstance(value, list):
        for item in value:
            yield from _fields(item, secret)


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


@dataclass
class SecretBook:
    secrets: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, credentials: Credentials) -> SecretBook:
        book = cls()
        book.add(credentials.password, credentials.token)
        if credentials.password and credentials.username:
            book.add(credentials.header.split(" ", 1)[1])
        return book

    def add(self, *values: str | None) -> None:
        with self._lock:
            self.secrets.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)

    def note_body(self, body: Any) -> None:
        """The secrets of a body about to be sent (its recorded copy may already be sanitized)."""
        self.add(*_fields(body))

    def note_answer(self, content: bytes | None) -> None:
        """The secrets of an answer that came back outside `Api` (an SDK call): its fullTokens."""
        self.add(*_fields(_json(content or b"")))

    def __call__(self, exchange: Exchange) -> None:
        """An Api observer: the secrets this exchange carried either way."""
        authorization = exchange.request.headers.get("Authorization", "")
        login = basic_login(authorization)
        if login is not None:
            self.add(login[1], authorization.split(" ", 1)[1])
        elif authorization.lower().startswith("bearer "):
            self.add(authorization[7:].strip())
        self.add(*_fields(_json(exchange.request.content)))
        self.add(*_fields(_json(exchange.response.content)))

    def mask(self, text: str) -> str:
        """`text` with every known secret replaced by `***` (longest first, so none is left half-masked)."""
        with self._lock:
            secrets = sorted(self.secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text
