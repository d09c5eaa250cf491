"""summary.json: what a run did, merged from every process, as one plain dict.

Each pytest process (the controller and every xdist worker) turns its `Run` into a
payload (`process_payload`); the controller merges the payloads (`merge_payloads`),
reads what the ledger files say is still alive, and assembles the summary with the test
outcomes and failures it saw (`build_summary`). The HTML report renders this dict only.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import specs
from contract.harness import Entry, Ledger, Run, is_unresolved, merge_snapshots
from contract.reporting._clauses import clause_totals
from contract.reporting._depth import depth, merge_progress

__all__ = [
    "SCHEMA_VERSION",
    "StatusClass",
    "build_summary",
    "ledger_state",
    "merge_payloads",
    "process_payload",
    "status_class",
    "verdict",
]

SCHEMA_VERSION = 1

#: documented and seen; an error any operation may answer (policy.yaml); neither (a
#: violation); documented and never seen; neither documented nor seen.
StatusClass = Literal["documented", "allowed", "violation", "unseen", "none"]


def status_class(code: int, seen: bool, documented: Collection[int], allowed_errors: Collection[int]) -> StatusClass:
    if code in documented:
        return "documented" if seen else "unseen"
    if not seen:
        return "none"
    return "allowed" if code in allowed_errors else "violation"


def _entry(entry: Entry) -> dict[str, Any]:
    return {"kind": entry.kind, "id": entry.id, "label": entry.label}


def process_payload(run: Run | None, worker: str) -> dict[str, Any]:
    """What one process contributes, as JSON-safe data (xdist sends it to the controller)."""
    if run is None:
        return {
            "worker": worker,
            "operations": {},
            "progress": None,
            "drift": [],
            "cleanup": None,
            "cleanup_problems": [],
        }
    cleanup = run.cleanup
    return {
        "worker": worker,
        "cleanup_problems": list(run.cleanup_problems),
        "operations": run.record.snapshot(),
        "progress": run.progress.snapshot(),
        "drift": [asdict(drift) for drift in run.findings.drifts],
        "cleanup": None
        if cleanup is None
        else {
            "deleted": [_entry(e) for e in cleanup.deleted],
            "already_gone": [_entry(e) for e in cleanup.already_gone],
            "failed": [{**_entry(e), "reason": reason} for e, reason in cleanup.failed],
        },
    }


def merge_payloads(payloads: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Add up operations, keep one drift per (operation, detail), and the last word on each object.

    Payloads come in the order they arrived; the controller's comes last, so when it
    swept an object a worker failed to delete, its result stands.
    """
    payloads = list(payloads)
    drift: dict[tuple[str, str], dict[str, Any]] = {}
    outcome: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for payload in payloads:
        for finding in payload.get("drift", []):
            drift.setdefault((finding["operation"], finding["detail"]), finding)
        for how, entries in (payload.get("cleanup") or {}).items():
            for item in entries:
                outcome[(item["kind"], item["id"])] = (how, item)
    cleanup: dict[str, list[dict[str, Any]]] = {"deleted": [], "already_gone": [], "failed": []}
    for how, item in outcome.values():
        cleanup[how].append(item)
    return {
        "workers": [
            {"id": p["worker"], "requests": sum(op["requests"] for op in p.get("operations", {}).values())}
            for p in payloads
        ],
        "operations": {
            op: stats.to_dict() for op, stats in merge_snapshots(p.get("operations", {}) for p in payloads).items()
        },
        "drift": sorted(drift.values(), key=lambda d: (d["operation"], d["detail"])),
        "cleanup": cleanup,
        "progress": merge_progress(p.get("progress") for p in payloads),
        "cleanup_problems": list(dict.fromkeys(p for payload in payloads for p in payload.get("cleanup_problems", []))),
    }


def ledger_state(ledger_dir: Path) -> tuple[int, list[Entry]]:
    """(objects created, objects still alive) according to every ledger file of the run.

    The files outlive crashed workers, so this is the truth about what is left behind.
    """
    if not ledger_dir.is_dir():
        return 0, []
    created: set[tuple[str, str]] = set()
    #: Users first written down by email (their id still to be looked up), by email.
    held: dict[str, tuple[str, str]] = {}
    found_by_email: set[str] = set()
    alive: dict[tuple[str, str], Entry] = {}
    deleted: set[tuple[str, str]] = set()
    for path in sorted(ledger_dir.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                key = (record["kind"], record["id"])
                if record.get("op") != "created":
                    deleted.add(key)
                elif is_unresolved(Entry(record["kind"], record["id"])):
                    held[str(record.get("label"))] = key
                else:
                    created.add(key)
                    found_by_email.add(str(record.get("label")))
        for entry in Ledger.read_file(path):
            alive[(entry.kind, entry.id)] = entry
    # A placeholder counts only for a user whose id never came: one object, not two.
    created |= {key for email, key in held.items() if email not in found_by_email}

    def gone(key: tuple[str, str], entry: Entry) -> bool:
        owner = (entry.parent_kind or "", entry.parent or "")
        return key in deleted or (entry.kind == "token" and owner in deleted)

    return len(created), [entry for key, entry in alive.items() if not gone(key, entry)]


def _operation_rows(merged_ops: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every contract operation (seen or not), then setup and unknown operations that were seen."""
    allowed = specs.policy().error_statuses
    known = {op.operation_id: op for op in specs.operations(include_setup=True)}
    order = [op.operation_id for op in specs.operations()]
    order += sorted(op for op in merged_ops if op not in order)
    rows = []
    for operation_id in order:
        data = merged_ops.get(operation_id, {"requests": 0, "statuses": {}, "checks": {}})
        op = known.get(operation_id)
        documented = sorted(int(c) for c in (op.definition["responses"] if op else {}) if c.isdigit())
        seen = {int(code): count for code, count in data["statuses"].items()}
        checks = data.get("checks", {})
        rows.append(
            {
                "operation": operation_id,
                "method": op.method if op else "",
                "path": op.path if op else "",
                "setup": bool(op and op.is_setup),
                "documented": documented,
                "requests": data["requests"],
                "statuses": {str(code): seen[code] for code in sorted(seen)},
                "unstable": dict(data.get("unstable", {})),
                "resolved": dict(data.get("resolved", {})),
                "unexpected": [
                    code for code in sorted(seen) if status_class(code, True, documented, allowed) == "violation"
                ],
                "checks": checks,
                "checks_run": sum(c["run"] for c in checks.values()),
                "checks_failed": sum(c["failed"] for c in checks.values()),
            }
        )
    return rows


def _unstable_summary(rows: list[dict[str, Any]], tests: dict[str, str]) -> dict[str, Any]:
    """Tests that could not conclude, and requests the infrastructure answered instead of the API."""
    requests = {row["operation"]: row["unstable"] for row in rows if row.get("unstable")}
    resolved = {row["operation"]: row["resolved"] for row in rows if row.get("resolved")}
    return {
        "tests": [{"nodeid": nodeid, "reason": reason} for nodeid, reason in sorted(tests.items())],
        "requests": requests,
        "total_requests": sum(sum(kinds.values()) for kinds in requests.values()),
        #: Changes whose answer was lost, read back per operation: {"made": n, "not made": n}.
        "resolved": resolved,
        "total_resolved": sum(sum(kinds.values()) for kinds in resolved.values()),
    }


def verdict(
    tests: dict[str, int],
    unexpected_statuses: int,
    cleanup_ok: bool,
    unstable: int = 0,
    not_run: Collection[str] = (),
) -> dict[str, Any]:
    """One line for people: does the contract hold, and if not, how badly.

    `unstable` tests could not conclude because the target was unstable: without a
    violation, that is the verdict (the contract was not shown to hold). `not_run` are the
    reasons of checks that could not run against this target; the verdict names them.
    """
    violations = tests.get("failed", 0)
    errors = tests.get("errors", 0)
    ran = sum(tests.get(k, 0) for k in ("passed", "failed", "errors", "xfailed", "xpassed"))
    if violations:
        text = f"{violations} violation" + ("s" if violations != 1 else "")
    elif unexpected_statuses:
        text = f"{unexpected_statuses} unexpected status code" + ("s" if unexpected_statuses != 1 else "")
    elif errors:
        text = f"{errors} error" + ("s" if errors != 1 else "") + ": the suite could not check everything"
    elif unstable:
        text = f"Unstable target: {unstable} test" + ("s" if unstable != 1 else "") + " could not conclude"
    elif not ran:
        text = "Nothing was checked"
    else:
        text = "The contract holds"
    ok = text == "The contract holds"
    if ok and not_run:
        text = f"The contract holds; {len(not_run)} check" + ("s" if len(not_run) != 1 else "") + " not run"
    notes = [f"not run: {reason}" for reason in dict.fromkeys(not_run)]
    if unstable and (violations or unexpected_statuses or errors):
        notes.append(f"{unstable} test" + ("s" if unstable != 1 else "") + " could not conclude: unstable target")
    if errors and violations:
        notes.append(f"{errors} error" + ("s" if errors != 1 else "") + " in setup or teardown")
    if not cleanup_ok:
        notes.append("cleanup left objects behind")
    return {
        "ok": ok,
        "violations": violations,
        "errors": errors,
        "unstable": unstable,
        "not_run": len(not_run),
        "text": text,
        "notes": notes,
    }


def build_summary(
    meta: dict[str, Any],
    tests: dict[str, int],
    markers: dict[str, dict[str, int]],
    failures: list[dict[str, Any]],
    merged: dict[str, Any],
    created: int,
    alive: list[Entry],
    clauses: list[dict[str, Any]] | None = None,
    not_started: list[str] | None = None,
    unstable_tests: dict[str, str] | None = None,
    not_run: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The whole summary. `meta` holds run, target, sdk, profile, seed and budget as the plugin knows them.

    `clauses` are the rows of the clause table (_clauses.clause_rows); `not_started` the
    tests a budget left out; `unstable_tests` and `not_run` map test ids to why they could
    not conclude or run.
    """
    clauses = clauses or []
    unstable_tests = unstable_tests or {}
    not_run = not_run or {}
    rows = _operation_rows(merged["operations"])
    cleanup = merged["cleanup"]
    left_behind = [_entry(e) for e in alive]
    cleanup_summary = {
        "created": created,
        "deleted": len(cleanup["deleted"]),
        "already_gone": len(cleanup["already_gone"]),
        "failed": cleanup["failed"],
        "left_behind": left_behind,
        "problems": merged.get("cleanup_problems", []),
        "ok": not cleanup["failed"] and not left_behind and not merged.get("cleanup_problems"),
    }
    # Setup operations (groups, service accounts) are the suite's own tools, not the contract.
    unexpected = sum(len(row["unexpected"]) for row in rows if not row["setup"])
    contract_ops = [row for row in rows if not row["setup"] and row["method"]]
    outcome = verdict(tests, unexpected, bool(cleanup_summary["ok"]), len(unstable_tests), list(not_run.values()))
    if meta.get("target", {}).get("network", {}).get("insecure"):
        outcome["notes"].append("TLS certificates not verified (--insecure)")
    if meta.get("lost_workers"):
        outcome["notes"].append("no data from crashed workers " + ", ".join(meta["lost_workers"]))
    contract = meta.get("contract") or {}
    if contract.get("how") in ("unreadable", "forced"):
        outcome["notes"].append(str(contract.get("describe", "")))
    requests = sum(row["requests"] for row in rows)
    budget = meta.pop("budget", None)
    return {
        "schema": SCHEMA_VERSION,
        **meta,
        "verdict": outcome,
        "tests": tests,
        "markers": markers,
        "totals": {
            "requests": requests,
            "operations": len(contract_ops),
            "operations_exercised": sum(1 for row in contract_ops if row["requests"]),
            "checks_run": sum(row["checks_run"] for row in rows),
            "checks_failed": sum(row["checks_failed"] for row in rows),
            "unexpected_statuses": unexpected,
            **clause_totals(clauses),
        },
        "policy": {"error_statuses": sorted(specs.policy().error_statuses)},
        "operations": rows,
        "clauses": clauses,
        "failures": failures,
        "drift": merged["drift"],
        "unstable": _unstable_summary(rows, unstable_tests),
        "not_run": [{"nodeid": nodeid, "reason": reason} for nodeid, reason in sorted(not_run.items())],
        "cleanup": cleanup_summary,
        "workers": merged["workers"],
        "depth": depth(budget, merged.get("progress", {}), not_started or [], requests),
    }
