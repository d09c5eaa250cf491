"""Recognisable, unique names for everything a run creates.

Every email and name starts with the run prefix (`kct-<run>-`), so people can tell
the suite's objects apart on a shared server and `sweep` can find leftovers.
"""

from __future__ import annotations

import itertools
import secrets
import string
import threading
import time

__all__ = ["EMAIL_DOMAIN", "RUN_ID_PATTERN", "RUN_PREFIX_ROOT", "RunNames", "new_run_id", "run_started_at"]

RUN_PREFIX_ROOT = "kct-"
EMAIL_DOMAIN = "kestra-contract.test"

_ALPHABET = string.digits + string.ascii_lowercase
#: Minutes since the epoch in base 36 (5 characters last until 2084), then 4 random characters.
_STAMP_LENGTH = 5
_RANDOM_LENGTH = 4
#: A run id as runs write it: dated (9 characters), or undated from before dates (6 characters).
RUN_ID_PATTERN = rf"[a-z0-9]{{{_STAMP_LENGTH + _RANDOM_LENGTH}}}|[a-z0-9]{{6}}"


def _base36(number: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits = _ALPHABET[digit] + digits
    return digits


def new_run_id(now: float | None = None) -> str:
    """A run id that says when the run started, so a sweep on any machine knows its age."""
    minutes = int((time.time() if now is None else now) // 60)
    return _base36(minutes, _STAMP_LENGTH) + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))


def run_started_at(run_id: str) -> float | None:
    """When the run started (epoch seconds, to the minute), or None for an undated id."""
    if len(run_id) != _STAMP_LENGTH + _RANDOM_LENGTH or any(c not in _ALPHABET for c in run_id.lower()):
        return None
    return float(int(run_id[:_STAMP_LENGTH].lower(), 36) * 60)


class RunNames:
    """Hands out names unique within the run (and so on the server)."""

    def __init__(self, run_id: str, worker: str = "") -> None:
        self.run_id = run_id
        self.prefix = f"{RUN_PREFIX_ROOT}{run_id}-" + (f"{worker}-" if worker else "")
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def unique(self) -> str:
        """`<prefix><n>`: valid as a token, service-account or group name."""
        with self._lock:
            return f"{self.prefix}{next(self._counter)}"

    def child(self) -> RunNames:
        """Names under a fresh sub-prefix (`<prefix><n>-`): a `q` filter that finds only them."""
        child = RunNames(self.run_id)
        child.prefix = f"{self.unique()}-"
        return child

    def email(self, local: str = "", domain: str = EMAIL_DOMAIN) -> str:
        local = f".{local}" if local else ""
        return f"{self.unique()}{local}@{domain}"
