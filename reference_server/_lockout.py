"""Failed-login lockout for basic auth, as Kestra EE does it, and a count of wrong passwords.

Wrong passwords for existing accounts are always recorded, lockout or not, so the
project's tests can check that a run stays well below any real server's threshold
(the suite must never lock out staging's people). The count uses the lockout window
when lockout is on, else Kestra's default window of five minutes.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reference_server._config import LockoutRule

__all__ = ["DEFAULT_WINDOW", "LoginTracker"]

#: Kestra's default `security.login.failed-attempts.monitoring-window`, in seconds.
DEFAULT_WINDOW = 300.0


@dataclass
class _Account:
    #: Times of the failures still inside the window, oldest first.
    recent: deque[float] = field(default_factory=deque)
    max_in_window: int = 0
    locked_until: float | None = None
    ever_locked: bool = False


class LoginTracker:
    """Per username: failures in a sliding window and, with a rule, a lock after too many."""

    def __init__(self, rule: LockoutRule | None, clock: Callable[[], float]) -> None:
        self.rule = rule
        self.window = rule.window if rule is not None else DEFAULT_WINDOW
        self._clock = clock
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}

    def locked(self, username: str) -> bool:
        """Whether basic auth is refused for this username right now, whatever the password."""
        with self._lock:
            account = self._accounts.get(username)
            return account is not None and self._locked_at(account, self._clock())

    def failed(self, username: str) -> None:
        """A wrong password for an account that exists."""
        with self._lock:
            now = self._clock()
            account = self._accounts.setdefault(username, _Account())
            account.recent.append(now)
            while now - account.recent[0] >= self.window:
                account.recent.popleft()
            account.max_in_window = max(account.max_in_window, len(account.recent))
            rule = self.rule
            if rule is None or self._locked_at(account, now):
                return
            # Failures before or during an earlier lock do not count towards the next one.
            since = account.locked_until if account.locked_until is not None else float("-inf")
            if sum(1 for t in account.recent if t >= since) >= rule.threshold:
                account.locked_until = now + rule.duration
                account.ever_locked = True

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """What the state endpoint shows, per username that ever had a wrong password."""
        with self._lock:
            now = self._clock()
            return {
                username: {
                    "maxFailuresInWindow": account.max_in_window,
                    "locked": account.ever_locked,
                    "lockedNow": self._locked_at(account, now),
                }
                for username, account in self._accounts.items()
            }

    @staticmethod
    def _locked_at(account: _Account, now: float) -> bool:
        return account.locked_until is not None and now < account.locked_until
