"""The objects the server holds, and how each is shown on the wire."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Group", "Principal", "ServiceAccount", "Token", "User", "new_id"]

_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    """Kestra-style ids: 22 base62 characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


def _digest(secret: str, salt: bytes) -> bytes:
    return hashlib.sha256(salt + secret.encode()).digest()


@dataclass
class Token:
    id: str
    owner_id: str
    name: str
    description: str
    prefix: str
    digest: bytes
    iat: float
    max_age_seconds: float | None
    extended: bool
    last_used: float = field(default_factory=time.time)
    #: Only set by the `token-list-leaks-fulltoken` fault: a server that keeps tokens in clear.
    full_token: str | None = field(default=None, repr=False)

    def expires_at(self) -> float | None:
        if self.max_age_seconds is None:
            return None
        start = self.last_used if self.extended else self.iat
        return start + self.max_age_seconds

    def expired(self, now: float) -> bool:
        exp = self.expires_at()
        return exp is not None and now >= exp

    def summary(self, now: float) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "prefix": self.prefix,
            "iat": _iso(self.iat),
            "extended": self.extended,
            "expired": self.expired(now),
        }
        exp = self.expires_at()
        if exp is not None:
            data["exp"] = _iso(exp)
        if self.full_token is not None:
            data["fullToken"] = self.full_token
        return data


#: The last second `time.gmtime` renders everywhere (9999-12-31T23:59:59Z); later expiries show as that.
_LAST_TIMESTAMP = 253402300799.0


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(0.0, min(timestamp, _LAST_TIMESTAMP))))


@dataclass
class Principal:
    """Something that can authenticate: a user or a service account."""

    id: str
    super_admin: bool
    tokens: dict[str, Token] = field(default_factory=dict)

    @property
    def is_service_account(self) -> bool:
        return False


@dataclass
class User(Principal):
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    restricted: bool = False
    tenants: list[str] = field(default_factory=list)
    #: group id -> tenant id
    groups: dict[str, str] = field(default_factory=dict)
    password_auth_id: str | None = None
    password_salt: bytes = b""
    password_digest: bytes = b""
    #: (salt, digest) of earlier passwords; only the `old-password-still-valid` fault keeps any.
    retired_passwords: list[tuple[bytes, bytes]] = field(default_factory=list)
    #: The basic-auth name fixed at creation; only the `email-change-keeps-login` fault sets it.
    login_name: str = ""
    #: The password entry is left out of `auths`; only the `auth-delete-keeps-login` fault sets it.
    password_entry_hidden: bool = False
    #: How the search index shows the user; only the `list-shows-creation-state` fault fills it.
    indexed: dict[str, Any] | None = None
    #: (username, email, display name) as created: what the search-text faults match `q` against.
    created_texts: tuple[str, str, str] = ("", "", "")
    #: Emails the user had before; only the `old-email-still-logs-in` fault logs them in.
    former_logins: list[str] = field(default_factory=list)

    @property
    def username(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    def set_password(self, password: str) -> None:
        self.password_salt = secrets.token_bytes(8)
        self.password_digest = _digest(password, self.password_salt)
        if self.password_auth_id is None:
            self.password_auth_id = new_id()

    def clear_password(self) -> None:
        self.password_auth_id = None
        self.password_digest = b""
        self.retired_passwords.clear()

    def password_matches(self, password: str) -> bool:
        if self.password_auth_id is None:
            return False
        stored = [(self.password_salt, self.password_digest), *self.retired_passwords]
        return any(hmac.compare_digest(_digest(password, salt), digest) for salt, digest in stored)

    def auths(self) -> list[dict[str, str]]:
        if self.password_auth_id is None or self.password_entry_hidden:
            return []
        return [{"id": self.password_auth_id, "name": "password", "type": "PASSWORD"}]


@dataclass
class ServiceAccount(Principal):
    name: str = ""
    description: str = ""
    tenants: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def is_service_account(self) -> bool:
        return True


@dataclass
class Group:
    id: str
    tenant: str
    name: str
    description: str
