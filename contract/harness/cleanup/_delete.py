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

from contract.harness.lifecycle import UnstableTarget, raising_unstable
from contract.harness.records import CLEANUP_ORDER, ContractViolation, Entry, Exchange, is_unresolved
from contract.harness.sending import Api, UnsafeRequest, identity_refused

__all__ = ["DEFAULT_BUDGET_SECONDS", "IDENTITY_REFUSED", "CleanupReport", "delete_all", "delete_entry", "retry_pause"]

_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
#: How long a whole cleanup may take, so an unreachable server cannot hold a run forever.
DEFAULT_BUDGET_SECONDS = 300.0
#: Attempts per object: about a minute of backing off, longer when the server asks for it.
ATTEMPTS = 7
#: Attempts when nothing answers at all.
_CONNECT_ATTEMPTS = 3
#: The longest single wait, whatever Retry-After says.
_MAX_PAUSE = 30.0
IDENTITY_REFUSED = "not tried: the suite's own credentials are refused (401)"


def retry_pause(exchange: Exchange | None, attempt: int) -> float:
    """How long to wait before the next attempt: Retry-After (seconds) on a 429 or 503, else backing off."""
    backoff: float = min(0.2 * 2.0**attempt, _MAX_PAUSE)
    if exchange is None or exchange.status not in (429, 503):
        return backoff
    try:
        asked = float(exchange.response.headers.get("Retry-After", ""))
    except ValueError:
        return backoff
    return min(max(asked, backoff), _MAX_PAUSE)


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
    if entry.kind == "token" and entry.parent_kind == "self":
        return "deleteApiTokenForCurrentUser", {"tokenId": entry.id}
    if entry.kind == "token":
        operation = "deleteApiToken_1" if entry.parent_kind == "user" else "deleteApiToken"
        return operation, {"id": entry.parent or "", "tokenId": entry.id}
    if entry.kind == "user":
        return "deleteUser", {"id": entry.id}
    if entry.kind == "service_account":
        return "deleteServiceAccount", {"id": entry.id}
    return "deleteGroup", {"id": entry.id, "tenant": entry.tenant or ""}


def resolve(api: Api, entry: Entry) -> list[Entry]:
    """The users an unresolved entry stands for, found by exact email on every page, now in the ledger."""
    found = api.adopt_users(entry.label)
    api.ledger.forget(entry.kind, entry.id)
    return found


def delete_entry(api: Api, entry: Entry, attempts: int = ATTEMPTS, deadline: float | None = None) -> tuple[bool, str]:
    """(True, "deleted" | "gone") or (False, reason); transient answers and network errors are retried."""
    operation, path = _delete_call(entry)
    reason = ""
    for attempt in range(attempts):
        exchange: Exchange | None = None
        try:
            with raising_unstable():
                exchange = api.call(operation, path)
        except UnstableTarget as error:
            if error.unreachable:
                return False, error.reason  # the Api has tried to connect already
            reason = error.reason  # a delete may be sent again: done twice, the second answers 404
        except httpx.ConnectError as error:
            reason = f"{type(error).__name__}: {error}"
            if attempt >= _CONNECT_ATTEMPTS - 1:
                break  # nothing listens: backing off for a minute would not help
        except httpx.HTTPError as error:
            reason = f"{type(error).__name__}: {error}"
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
        pause = retry_pause(exchange, attempt)
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
    gave_up = IDENTITY_REFUSED if pending and identity_refused(api.target) else ""
    pending = _resolved(api, pending, report) if not gave_up else pending
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


def _resolved(api: Api, entries: list[Entry], report: CleanupReport) -> list[Entry]:
    """Entries with unresolved users replaced by the users found for them (none found: already gone)."""
    result: list[Entry] = []
    for entry in entries:
        if not is_unresolved(entry):
            result.append(entry)
            continue
        try:
            with raising_unstable():
                found = resolve(api, entry)
        except (httpx.HTTPError, ContractViolation, UnstableTarget) as error:
            report.failed.append((entry, f"could not look it up by email: {str(error).splitlines()[0]}"))
            continue
        if not found:
            report.already_gone.append(entry)
        result += found
    return result


def _owners_took_their_tokens(report: CleanupReport) -> None:
    """A token that would not go went with its owner (deleting a user or account deletes its tokens)."""
    owners = {e.id for e in report.deleted + report.already_gone if e.kind in ("user", "service_account")}
    for item in [f for f in report.failed if f[0].kind == "token" and f[0].parent in owners]:
        report.failed.remove(item)
        report.already_gone.append(item[0])
