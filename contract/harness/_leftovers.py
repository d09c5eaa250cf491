"""Find what earlier processes and runs left on the target, and hand it to cleanup.

Two sources, and nothing else: entries still alive in ledger files (whatever a run
wrote down once the server confirmed it), and users whose email carries the run prefix
at the suite's reserved domain (in case a run died between creation and ledger).
A run records where it ran in `run.json`, so a ledger is only ever swept against the
server it was written for, and never while its run is still going.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.harness._api import Api
from contract.harness._cleanup import DEFAULT_BUDGET_SECONDS, CleanupReport, delete_all
from contract.harness._guard import SafetyGuard
from contract.harness._ledger import Entry, Ledger
from contract.harness._lookup import users_with_prefix
from contract.harness._target import Target
from strategies import EMAIL_DOMAIN, RUN_ID_PATTERN, RUN_PREFIX_ROOT

__all__ = [
    "RUN_RECORD",
    "RunRecord",
    "delete_leftovers",
    "leftover_ledgers",
    "mark_run_ended",
    "prefixed_users",
    "run_id_of_email",
    "write_run_record",
]

RUN_RECORD = "run.json"
#: An email the suite gives out: kct-<run id>-<anything>@<reserved domain>.
_SUITE_EMAIL = re.compile(
    rf"{re.escape(RUN_PREFIX_ROOT)}({RUN_ID_PATTERN})-.*@{re.escape(EMAIL_DOMAIN)}", re.IGNORECASE
)


@dataclass(frozen=True)
class RunRecord:
    run_dir: Path
    run_id: str
    base_url: str
    host: str
    pid: int
    ended: bool

    @classmethod
    def read(cls, run_dir: Path) -> RunRecord | None:
        try:
            data = json.loads((run_dir / RUN_RECORD).read_text())
            return cls(run_dir, data["run_id"], data["base_url"], data["host"], int(data["pid"]), bool(data["ended"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def write_run_record(run_dir: Path, run_id: str, base_url: str) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "run_id": run_id,
        "base_url": base_url,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "ended": False,
    }
    (run_dir / RUN_RECORD).write_text(json.dumps(data, indent=2) + "\n")


def mark_run_ended(run_dir: Path) -> None:
    path = run_dir / RUN_RECORD
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    data["ended"] = True
    path.write_text(json.dumps(data, indent=2) + "\n")


def leftover_ledgers(run_dir: Path, run_id: str) -> list[Ledger]:
    """The ledgers in `run_dir` that still hold live entries, resumed so deletions are written back."""
    ledgers = [Ledger.resume(run_id, path) for path in sorted((run_dir / "ledger").glob("*.jsonl"))]
    return [ledger for ledger in ledgers if ledger.live()]


def run_id_of_email(email: str) -> str | None:
    """The run id of an email the suite gave out, or None for any other email."""
    match = _SUITE_EMAIL.fullmatch(email)
    return match.group(1).lower() if match else None


def prefixed_users(target: Target, prefix: str = RUN_PREFIX_ROOT) -> list[Entry]:
    """Users whose username is a suite email starting with `prefix`, over every page of listUsers (not only q's)."""
    reader = Ledger("sweep")
    api = Api(target, reader, SafetyGuard(reader, read_only=True))
    try:
        found = users_with_prefix(api, prefix)
    finally:
        api.close()
    return [Entry("user", user_id, label=name) for user_id, name in sorted(found.items()) if run_id_of_email(name)]


def delete_leftovers(
    target: Target, ledgers: list[Ledger], users: list[Entry], budget: float = DEFAULT_BUDGET_SECONDS
) -> CleanupReport:
    """Delete every live entry of `ledgers`, then `users` (each through the same guarded path)."""
    report = CleanupReport()
    deadline = time.monotonic() + budget
    adopted = Ledger("sweep")
    for entry in users:
        adopted.record(entry)
    for ledger in [*ledgers, adopted]:
        if not ledger.live():
            continue
        api = Api(target, ledger, SafetyGuard(ledger))
        try:
            report.extend(delete_all(api, ledger.in_cleanup_order(), budget=max(deadline - time.monotonic(), 1.0)))
        finally:
            api.close()
    return report
