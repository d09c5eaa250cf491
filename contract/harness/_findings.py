"""Things a run notices that are not violations: drift between the server and the schemas."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["Drift", "Findings"]


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
