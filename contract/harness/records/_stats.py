"""What one process of a run saw per operation: requests, status codes, checks run and failed.

Every engine feeds the same `Record`: `Api.call` through `observe` (it is one of
`run.api.observers`), the fuzz engine also through `check` for each check it runs.
Snapshots are plain dicts, so xdist workers can send them to the controller, which
adds them up with `merge_snapshots`.

Things a run notices that are not violations: drift between the server and the schemas.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contract.harness.records._exchange import Exchange

__all__ = ["Drift", "Findings", "OperationStats", "Record", "merge_snapshots", "unstable_kind"]


@dataclass
class OperationStats:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)
    #: Requests the infrastructure answered instead of the API, after retries, by kind.
    unstable: Counter[str] = field(default_factory=Counter)
    #: Changes whose answer was lost and whose outcome was read back: "made" or "not made".
    resolved: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "unstable": dict(sorted(self.unstable.items())),
            "resolved": dict(sorted(self.resolved.items())),
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "checks": {
                name: {"run": run, "failed": self.checks_failed[name]} for name, run in sorted(self.checks_run.items())
            },
        }

    def absorb(self, data: dict[str, Any]) -> None:
        """Add a snapshot of the same operation taken elsewhere (another worker)."""
        self.requests += int(data.get("requests", 0))
        for code, count in data.get("statuses", {}).items():
            self.statuses[int(code)] += int(count)
        for name, counts in data.get("checks", {}).items():
            self.checks_run[name] += int(counts.get("run", 0))
            self.checks_failed[name] += int(counts.get("failed", 0))
        for kind, count in data.get("unstable", {}).items():
            self.unstable[kind] += int(count)
        for outcome, count in data.get("resolved", {}).items():
            self.resolved[outcome] += int(count)


class Record:
    """Thread-safe counters per operation id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: dict[str, OperationStats] = {}

    def _stats(self, operation: str) -> OperationStats:
        return self._operations.setdefault(operation, OperationStats())

    def observe(self, exchange: Exchange) -> None:
        """An `Api` observer: one request sent, and the status that came back."""
        self.request(exchange.operation, exchange.status)

    def request(self, operation: str, status: int) -> None:
        """One request of `operation` answered with `status` (for engines without an Exchange)."""
        with self._lock:
            stats = self._stats(operation)
            stats.requests += 1
            stats.statuses[status] += 1

    def unstable(self, operation: str, reason: str) -> None:
        """An `Api` unstable observer: one request of `operation` met an unstable target."""
        with self._lock:
            self._stats(operation).unstable[unstable_kind(reason)] += 1

    def resolved(self, operation: str, outcome: str) -> None:
        """An `Api` resolved observer: a lost answer of `operation` was read back as `outcome`."""
        with self._lock:
            self._stats(operation).resolved[outcome] += 1

    def unstable_total(self) -> int:
        """Requests so far that met an unstable target, over all operations."""
        with self._lock:
            return sum(sum(stats.unstable.values()) for stats in self._operations.values())

    def check(self, operation: str, name: str, passed: bool) -> None:
        """One check `name` ran on a response of `operation`, and passed or failed."""
        with self._lock:
            stats = self._stats(operation)
            stats.checks_run[name] += 1
            if not passed:
                stats.checks_failed[name] += 1

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Operation id -> {"requests", "statuses": {"200": n}, "checks": {name: {"run", "failed"}}}."""
        with self._lock:
            return {operation: stats.to_dict() for operation, stats in sorted(self._operations.items())}


def unstable_kind(reason: str) -> str:
    """A reason without its particulars: "502 from a gateway", "429", "ReadTimeout"."""
    head = reason.split(" (", 1)[0].split(":", 1)[0].strip()
    return head or "unknown"


def merge_snapshots(snapshots: Iterable[dict[str, dict[str, Any]]]) -> dict[str, OperationStats]:
    merged: dict[str, OperationStats] = {}
    for snapshot in snapshots:
        for operation, data in snapshot.items():
            merged.setdefault(operation, OperationStats()).absorb(data)
    return merged


@dataclass(frozen=True)
class Drift:
    """The server accepted what the schema forbids, within what the policy tolerates."""

    operation: str
    detail: str
    curl: str


@dataclass
class Findings:
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _drift: dict[tuple[str, str], Drift] = field(default_factory=dict)

    def drift(self, finding: Drift) -> None:
        """Record once per operation and detail; the first example stands for the rest."""
        with self._lock:
            self._drift.setdefault((finding.operation, finding.detail), finding)

    @property
    def drifts(self) -> list[Drift]:
        with self._lock:
            return list(self._drift.values())
