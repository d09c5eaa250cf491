"""Delete what a run created, in dependency order, retrying what may pass, reporting the rest.

The one deletion path: the end of a session, the controller's sweep of its workers'
ledgers and `python -m contract.sweep` all go through `delete_all`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from contract.harness._api import Api
from contract.harness._guard import UnsafeRequest
from contract.harness._ledger import CLEANUP_ORDER, Entry
from contract.harness._unstable import UnstableTarget, raising_unstable

__all__ = ["DEFAULT_BUDGET_SECONDS", "CleanupReport", "delete_all", "delete_entry"]

_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
#: How long a whole cleanup may take, so an unreachable server cannot hold a run forever.
DEFAULT_BUDGET_SECONDS = 120.0


@dataclass
class CleanupReport:
    deleted: list[Entry] = field(default_factory=list)
    already_gone: list[Entry] = field(default_factory=list)
    failed: list[tuple[Entry, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def extend(self, other: CleanupReport) -> CleanupReport:
        self.deleted += other.deleted
        self.already_gone += other.already_gone
        self.failed += other.failed
        return self

    def entries(self) -> set[tuple[str, str]]:
        return {(e.kind, e.id) for e in [*self.deleted, *self.already_gone, *(f[0] for f in self.failed)]}

    def then(self, later: CleanupReport) -> CleanupReport:
        """Add a later attempt: its outcome replaces an earlier failure for the same object."""
        retried = later.entries()
        self.failed = [f for f in self.failed if (f[0].kind, f[0].id) not in retried]
        return self.extend(later)

    def summary(self) -> str:
        text = f"cleanup: {len(self.deleted)} deleted, {len(self.already_gone)} already gone, {len(self.failed)} failed"
        for entry, reason in self.failed:
            text += f"\n  could not delete {entry.kind} {entry.id} ({entry.label}): {reason}"
        return text

    def to_json(self) -> dict[str, Any]:
        """Plain data: for cleanup.json and for xdist workers to hand to the controller."""
        return {
            "ok": self.ok,
            "deleted": [asdict(e) for e in self.deleted],
            "already_gone": [asdict(e) for e in self.already_gone],
            "failed": [{**asdict(e), "reason": reason} for e, reason in self.failed],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CleanupReport:
        def failed(item: dict[str, Any]) -> tuple[Entry, str]:
            fields = dict(item)
            reason = str(fields.pop("reason", ""))
            return Entry(**fields), reason

        return cls(
            deleted=[Entry(**e) for e in data.get("deleted", [])],
            already_gone=[Entry(**e) for e in data.get("already_gone", [])],
            failed=[failed(item) for item in data.get("failed", [])],
        )


def _delete_call(entry: Entry) -> tuple[str, dict[str, str]]:
    if entry.kind == "token":
        operation = "deleteApiToken_1" if entry.parent_kind == "user" else "deleteApiToken"
        return operation, {"id": entry.parent or "", "tokenId": entry.id}
    if entry.kind == "user":
        return "deleteUser", {"id": entry.id}
    if entry.kind == "service_account":
        return "deleteServiceAccount", {"id": entry.id}
    return "deleteGroup", {"id": entry.id, "tenant": entry.tenant or ""}


def delete_entry(api: Api, entry: Entry, attempts: int = 4, deadline: float | None = None) -> tuple[bool, str]:
    """(True, "deleted" | "gone") or (False, reason); transient answers and network errors are retried."""
    operation, path = _delete_call(entry)
    reason = ""
    for attempt in range(attempts):
        try:
            with raising_unstable():
                exchange = api.call(operation, path)
        except httpx.HTTPError as error:
            reason = f"{type(error).__name__}: {error}"
        except UnstableTarget as error:
            if error.unreachable:
                return False, error.reason  # the Api has tried to connect already
            reason = error.reason  # a delete may be sent again: done twice, the second answers 404
        except UnsafeRequest as error:
            return False, f"refused by the safety guard: {error}"
        else:
            if exchange.status < 300:
                api.ledger.forget(entry.kind, entry.id)
                return True, "deleted"
            if exchange.status == 404:
                api.ledger.forget(entry.kind, entry.id)
                return True, "gone"
            reason = f"{operation} answered {exchange.status}"
            if exchange.status not in _TRANSIENT:
                break
        pause = 0.2 * 2**attempt
        if attempt == attempts - 1 or (deadline is not None and time.monotonic() + pause > deadline):
            break
        time.sleep(pause)
    return False, reason


def delete_all(api: Api, entries: Iterable[Entry], budget: float = DEFAULT_BUDGET_SECONDS) -> CleanupReport:
    """Delete `entries` in dependency order (tokens, users, service accounts, groups).

    Stops trying once the target is unreachable or `budget` seconds have passed; what is
    left is reported as failed, and stays in its ledger file for `contract.sweep`.
    """
    report = CleanupReport()
    pending = list(entries)
    deadline = time.monotonic() + budget
    gave_up = ""
    for kind in CLEANUP_ORDER:
        for entry in [e for e in pending if e.kind == kind]:
            if not gave_up and time.monotonic() > deadline:
                gave_up = f"not tried: cleanup ran out of its {budget:.0f}s budget"
            if gave_up:
                report.failed.append((entry, gave_up))
                continue
            ok, how = delete_entry(api, entry, deadline=deadline)
            if not ok:
                report.failed.append((entry, how))
                if how.startswith("ConnectError"):
                    gave_up = f"not tried: {api.target.base_url} unreachable"
            elif how == "gone":
                report.already_gone.append(entry)
            else:
                report.deleted.append(entry)
    _owners_took_their_tokens(report)
    return report


def _owners_took_their_tokens(report: CleanupReport) -> None:
    """A token that would not go went with its owner (deleting a user or account deletes its tokens)."""
    owners = {e.id for e in report.deleted + report.already_gone if e.kind in ("user", "service_account")}
    for item in [f for f in report.failed if f[0].kind == "token" and f[0].parent in owners]:
        report.failed.remove(item)
        report.already_gone.append(item[0])
