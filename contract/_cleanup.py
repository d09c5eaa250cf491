"""Delete what the run created, in dependency order, retrying what may pass."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from contract._api import Api
from contract._ledger import CLEANUP_ORDER, Entry

__all__ = ["CleanupReport", "delete_all", "delete_entry"]

_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class CleanupReport:
    deleted: list[Entry] = field(default_factory=list)
    already_gone: list[Entry] = field(default_factory=list)
    failed: list[tuple[Entry, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        text = f"cleanup: {len(self.deleted)} deleted, {len(self.already_gone)} already gone, {len(self.failed)} failed"
        for entry, reason in self.failed:
            text += f"\n  could not delete {entry.kind} {entry.id} ({entry.label}): {reason}"
        return text


def _delete_call(entry: Entry) -> tuple[str, dict[str, str]]:
    if entry.kind == "token":
        operation = "deleteApiToken_1" if entry.parent_kind == "user" else "deleteApiToken"
        return operation, {"id": entry.parent or "", "tokenId": entry.id}
    if entry.kind == "user":
        return "deleteUser", {"id": entry.id}
    if entry.kind == "service_account":
        return "deleteServiceAccount", {"id": entry.id}
    return "deleteGroup", {"id": entry.id, "tenant": entry.tenant or ""}


def delete_entry(api: Api, entry: Entry, attempts: int = 4) -> tuple[bool, str]:
    """(True, "deleted" | "gone") or (False, reason)."""
    operation, path = _delete_call(entry)
    reason = ""
    for attempt in range(attempts):
        try:
            exchange = api.call(operation, path)
        except httpx.HTTPError as error:
            reason = f"{type(error).__name__}: {error}"
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
        time.sleep(0.2 * 2**attempt)
    return False, reason


def delete_all(api: Api, entries: Iterable[Entry]) -> CleanupReport:
    report = CleanupReport()
    pending = list(entries)
    for kind in CLEANUP_ORDER:
        for entry in [e for e in pending if e.kind == kind]:
            ok, how = delete_entry(api, entry)
            if not ok:
                report.failed.append((entry, how))
            elif how == "gone":
                report.already_gone.append(entry)
            else:
                report.deleted.append(entry)
    return report
