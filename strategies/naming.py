"""Recognisable, unique names for everything a run creates.

Every email and name starts with the run prefix (`kct-<run>-`), so people can tell
the suite's objects apart on a shared server and `sweep` can find leftovers.
"""

from __future__ import annotations

import itertools
import secrets
import string
import threading

__all__ = ["EMAIL_DOMAIN", "RUN_PREFIX_ROOT", "RunNames", "new_run_id"]

RUN_PREFIX_ROOT = "kct-"
EMAIL_DOMAIN = "kestra-contract.test"


def new_run_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6))


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
