"""Which basic credentials a run may send, so that it never locks anyone out.

Kestra EE locks an account after a number of failed password logins within a window
(by default 10 in 5 minutes, for 30 minutes). So the run sends basic credentials only
as its own identity with its own password, for usernames that cannot exist (the
`kct-missing-` prefix), or for accounts it created (the run prefix); and for each of
those at most `budget` failures per `window`: a password that has not yet worked for
an account is sent only while the account has failures to spare.

On Kestra 2.x a password is tried with `POST /login` (see `_passwords`): the same rules
hold for those logins, counted the same way, and a basic-auth 401 proves nothing there
(2.0 refuses basic on API calls whatever the password), so it is never counted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from contract.harness.sending._guard import MISSING_PREFIX, UnsafeRequest
from contract.harness.sending._passwords import login_succeeded, passwords_by_login
from contract.harness.sending._target import Credentials

__all__ = ["DEFAULT_BUDGET", "DEFAULT_WINDOW", "LoginBook", "basic_login"]

#: Failed logins allowed per created account and window: well below any sane threshold.
DEFAULT_BUDGET = 3
#: Kestra's default monitoring window, in seconds.
DEFAULT_WINDOW = 300.0


def basic_login(authorization: str | None) -> tuple[str, str] | None:
    """(username, password) of a Basic Authorization header, or None for any other header."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _digest(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


@dataclass
class _Account:
    failures: deque[float] = field(default_factory=deque)
    most_in_window: int = 0
    #: The digest of the last password that authenticated.
    works: str | None = None


@dataclass
class LoginBook:
    """Per username: failed logins in a sliding window, and the password known to work."""

    suite: Credentials
    run_prefix: str
    budget: int = DEFAULT_BUDGET
    window: float = DEFAULT_WINDOW
    clock: Callable[[], float] = time.monotonic
    _accounts: dict[str, _Account] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, authorization: str | None) -> None:
        """Raise UnsafeRequest unless sending this Authorization header can lock nobody out."""
        login = basic_login(authorization)
        if login is not None:
            self._check(*login)

    def check_login(self, body: object) -> None:
        """The same for a POST /login body (Kestra 2.x's password login)."""
        username, password = _login_fields(body)
        if username is not None:
            self._check(username, password or "")

    def observe_login(self, body: object, response: httpx.Response) -> None:
        """Count a refused POST /login as a failure; remember a password that logged in."""
        username, password = _login_fields(body)
        if username is None:
            return
        if login_succeeded(response):
            self._observe(username, password or "", failed=False)
        elif response.status_code in _LOGIN_REFUSED:
            self._observe(username, password or "", failed=True)

    def _check(self, username: str, password: str) -> None:
        if self.suite.username is not None and username.casefold() == self.suite.username.casefold():
            if password != self.suite.password:
                raise UnsafeRequest("refusing a wrong password for the identity the suite runs as")
            return
        folded = username.casefold()
        if folded.startswith(MISSING_PREFIX):
            return
        if not folded.startswith(self.run_prefix.casefold()):
            raise UnsafeRequest(f"refusing a password login as {username}: not an account this run created")
        with self._lock:
            account = self._account(folded)
            if account.works != _digest(password) and len(account.failures) >= self.budget:
                raise UnsafeRequest(
                    f"refusing an untried password for {username}: it already failed "
                    f"{len(account.failures)} times in {self.window:g}s (budget {self.budget})"
                )

    def observe(self, authorization: str | None, status: int) -> None:
        """Count a 401 to a basic login as a failure; remember a password that worked (1.x only)."""
        login = basic_login(authorization)
        if login is None or passwords_by_login():
            return
        self._observe(*login, failed=status == 401)

    def _observe(self, username: str, password: str, *, failed: bool) -> None:
        with self._lock:
            account = self._account(username.casefold())
            if failed:
                account.failures.append(self.clock())
                account.most_in_window = max(account.most_in_window, len(account.failures))
            else:
                account.works = _digest(password)

    def may_fail(self, username: str) -> bool:
        """Whether a probe expected to fail fits the budget, keeping one failure for a new password's first use."""
        with self._lock:
            return len(self._account(username.casefold()).failures) + 1 < self.budget

    def most_failures(self) -> dict[str, int]:
        """Per username, the most failures seen within one window (for reports and tests)."""
        with self._lock:
            return {name: a.most_in_window for name, a in self._accounts.items() if a.most_in_window}

    def _account(self, folded: str) -> _Account:
        account = self._accounts.setdefault(folded, _Account())
        now = self.clock()
        while account.failures and now - account.failures[0] >= self.window:
            account.failures.popleft()
        return account


#: How a POST /login refuses: a wrong password (401), or a locked account (423, 429).
_LOGIN_REFUSED = frozenset({401, 423, 429})


def _login_fields(body: object) -> tuple[str | None, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("username"), str):
        return None, None
    password = body.get("password")
    return str(body["username"]), password if isinstance(password, str) else None
