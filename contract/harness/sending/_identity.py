"""Notice at once when the suite's own credentials stop working, and stop the run.

Locked (failed-login lockout), rotated or revoked: every later request would fail and
cleanup cannot run. So a 401 answered to the suite's own Authorization header is
confirmed by one cheap re-check (listUsers, size 1); if that gets a 401 too, the run
stops with one line, and cleanup is left to `python -m contract.sweep`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx

from contract.harness.records import Exchange
from contract.harness.sending._network import DEFAULT_TIMEOUT
from contract.harness.sending._target import Target

__all__ = ["IdentityLost", "IdentityWatch", "identity_refused", "lost_identity_message", "sweep_hint"]


class IdentityLost(BaseException):
    """The suite's own credentials are refused: nothing more can be checked or cleaned up.

    A BaseException, like KeyboardInterrupt: hypothesis must not shrink it, and no test
    may mistake it for a contract violation.
    """


def sweep_hint(target: Target) -> str:
    """How `python -m contract.sweep` finishes a cleanup once the credentials work again."""
    who = "--token ..." if target.credentials.token else f"--username {target.credentials.username} --password ..."
    network = target.network
    how = [f"--ca-bundle {network.ca_bundle}"] if network.ca_bundle else []
    how += ["--insecure"] if network.insecure else []
    how += [f"--header '{name}: ...'" for name, _ in network.headers]
    how += [f"--request-timeout {network.timeout:g}"] if network.timeout != DEFAULT_TIMEOUT else []
    return " ".join(["python -m contract.sweep --base-url", target.base_url, who, *how, "--delete"])


def lost_identity_message(target: Target) -> str:
    return (
        f"the suite's own credentials ({target.credentials.describe}) are refused with 401: "
        "locked, rotated or revoked; run stopped"
    )


def identity_refused(target: Target) -> bool:
    """One cheap request as the suite: whether the server refuses its credentials (401)."""
    try:
        with target.client() as client:
            return client.get("/api/v1/users", params={"page": 1, "size": 1}).status_code == 401
    except httpx.HTTPError:
        return False


@dataclass
class IdentityWatch:
    """An Api observer: a 401 to the suite's own header, confirmed, raises IdentityLost once."""

    target: Target
    lost: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, exchange: Exchange) -> None:
        if exchange.status != 401 or exchange.request.headers.get("Authorization") != self.target.credentials.header:
            return
        with self._lock:
            if self.lost or not identity_refused(self.target):
                return
            self.lost = True
        raise IdentityLost(lost_identity_message(self.target))
