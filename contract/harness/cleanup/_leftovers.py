"""Find what earlier processes and runs left on the target, and hand it to cleanup.

Two sources, and nothing else: entries still alive in ledger files (whatever a run
wrote down once the server confirmed it), and users, service accounts and groups whose
name carries a run prefix, `kct-<run id>-` (in case a run died between creation and
ledger, or its reports were lost): users whatever their email's domain (the strategies
use several, and a lenient server may take a tamed fuzz body's own), tokens with their owners.
A run records where it ran in `run.json`, so a ledger is only ever swept against the
server it was written for, and never while its run is still going.

Whether a run may still be going, so that a sweep never deletes from under it.

A sweep can run on another machine than the run, with or without the run's reports.
A run is over when its record says it ended, or it ran on this machine and its process
is gone. Otherwise only its age can tell: the run id carries the minute the run started
(strategies.naming), and a run younger than `min_age` is spared. An undated run id
(from before ids carried dates) has no known age and is spared too.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import httpx

from contract.harness.cleanup._delete import DEFAULT_BUDGET_SECONDS, CleanupReport, delete_all
from contract.harness.lifecycle import UnstableTarget, raising_unstable
from contract.harness.records import ContractViolation, Entry, Kind, Ledger
from contract.harness.sending import Api, SafetyGuard, Target, named_with_prefix, users_with_prefix
from strategies import RUN_ID_PATTERN, RUN_PREFIX_ROOT, run_started_at

__all__ = [
    "DEFAULT_MIN_AGE_HOURS",
    "RUN_RECORD",
    "RunRecord",
    "delete_leftovers",
    "leftover_ledgers",
    "mark_run_ended",
    "prefixed_objects",
    "run_id_of_name",
    "why_spared",
    "write_run_record",
]


RUN_RECORD = "run.json"
#: A name or email the suite gives out: kct-<run id>-<anything>, as written (the suite's names are lower case).
_SUITE_NAME = re.compile(rf"{re.escape(RUN_PREFIX_ROOT)}({RUN_ID_PATTERN})-.+", re.DOTALL)


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


def run_id_of_name(name: str) -> str | None:
    """The run id of a username or name the suite gave out, or None for any other."""
    match = _SUITE_NAME.fullmatch(name)
    return match.group(1) if match else None


#: The paged searches that find a kind of object by name: (kind, operation).
_NAMED_SEARCHES: tuple[tuple[Kind, str], ...] = (("service_account", "listServiceAccounts"), ("group", "searchGroups"))


def prefixed_objects(target: Target, prefix: str = RUN_PREFIX_ROOT) -> tuple[list[Entry], list[str]]:
    """Users, service accounts and groups whose name the suite gave out and that starts with `prefix`,
    over every page of their searches (not only q's); and, per search that could not be read, why.

    Their tokens go with them. A search that cannot be read is never taken for "none left".
    """
    reader = Ledger("sweep")
    api = Api(target, reader, SafetyGuard(reader, read_only=True))
    searches: list[tuple[Kind, Callable[[], dict[str, str]]]] = [
        ("user", lambda: users_with_prefix(api, prefix)),
        *((kind, partial(named_with_prefix, api, operation, {}, prefix)) for kind, operation in _NAMED_SEARCHES),
    ]
    found: list[Entry] = []
    problems: list[str] = []
    try:
        for kind, search in searches:
            try:
                with raising_unstable():
                    named = search()
            except (httpx.HTTPError, ContractViolation, UnstableTarget) as error:
                problems.append(f"could not look for the run's {kind}s by prefix: {str(error).splitlines()[0]}")
                continue
            tenant = target.tenant if kind == "group" else None
            found += [Entry(kind, i, tenant=tenant, label=name) for i, name in sorted(named.items())]
    finally:
        api.close()
    return [entry for entry in found if run_id_of_name(entry.label)], problems


def delete_leftovers(
    target: Target, ledgers: list[Ledger], found: list[Entry], budget: float = DEFAULT_BUDGET_SECONDS
) -> CleanupReport:
    """Delete every live entry of `ledgers`, then what was `found` by prefix (each through the same guarded path)."""
    report = CleanupReport()
    deadline = time.monotonic() + budget
    adopted = Ledger("sweep")
    for entry in found:
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


#: Runs younger than this may still be going (a nightly run takes about an hour).
DEFAULT_MIN_AGE_HOURS = 6.0


class _Record(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def pid(self) -> int: ...
    @property
    def ended(self) -> bool: ...


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def why_spared(run_id: str, record: _Record | None, min_age_hours: float, now: float | None = None) -> str | None:
    """Why the run's objects must be left alone (it may still be going), or None when they may go."""
    if record is not None:
        if record.ended:
            return None
        if record.host == socket.gethostname():
            return f"still running here (pid {record.pid})" if _process_alive(record.pid) else None
    started = run_started_at(run_id)
    if started is None:
        return "its run id has no date, so it may still be going; --min-age 0 sweeps it"
    age_hours = ((time.time() if now is None else now) - started) / 3600
    if age_hours < min_age_hours:
        where = f"on {record.host}" if record is not None else "with no record here"
        return f"started {age_hours:.1f} h ago {where}, younger than --min-age {min_age_hours:g} h: may still be going"
    return None
