"""Kestra 2.x's password login: POST /login sets a JWT cookie; cookie sessions need a CSRF header on writes.

A session names its user by id, so it ends with the user; a password change does not end
it (the sources do not say that it does, and the suite never relies on either). The CSRF
token is the double-submit kind Kestra's own tests use: `GET /ui/` sets the `csrfToken`
cookie and repeats it in a `<meta name="csrf-token">` tag, and a write that authenticates
with the cookie must send it back in `X-CSRF-TOKEN`.
"""

from __future__ import annotations

import hmac
import secrets
import threading

__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "JWT_COOKIE", "Sessions"]

JWT_COOKIE = "JWT"
CSRF_COOKIE = "csrfToken"
CSRF_HEADER = "X-CSRF-TOKEN"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Sessions:
    """Session cookie -> user id, and the CSRF tokens handed out."""

    def __init__(self) -> None:
        self._users: dict[str, str] = {}
        self._lock = threading.Lock()

    def open(self, user_id: str) -> str:
        cookie = "kjwt." + secrets.token_urlsafe(24)
        with self._lock:
            self._users[cookie] = user_id
        return cookie

    def user_id(self, cookie: str) -> str | None:
        with self._lock:
            return self._users.get(cookie)

    @staticmethod
    def new_csrf_token() -> str:
        return secrets.token_urlsafe(18)

    @staticmethod
    def csrf_ok(method: str, cookie_token: str | None, header_token: str | None) -> bool:
        """A cookie-authenticated request may change state only with the CSRF token in its header."""
        if method in _SAFE_METHODS:
            return True
        return bool(cookie_token and header_token and hmac.compare_digest(cookie_token, header_token))
