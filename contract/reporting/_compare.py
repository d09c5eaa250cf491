"""Two runs side by side: what is new, fixed and still failing, and what moved.

Violations are matched as a baseline matches them (`_violations`): by test function,
operation and what failed, so a machine's failure found by another shard, or a run's
own names in a message, do not make it new.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract.reporting._violations import violation_of

__all__ = ["compare", "comparison_lines"]


def _violations(summary: Mapping[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    found = {}
    for failure in summary.get("failures", []):
        if failure.get("phase", "call") != "call":
            continue
        violation = failure.get("violation") or violation_of(failure)
        found[(violation["test"], violation["operation"], violation["check"])] = violation
    return found


def _clauses(summary: Mapping[str, Any], state: str) -> set[str]:
    return {row["id"] for row in summary.get("clauses", []) if row.get("state") == state}


def _drift(summary: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(d["operation"], d["detail"]) for d in summary.get("drift", [])}


def compare(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from run `a` to run `b`, as plain data."""
    before, after = _violations(a), _violations(b)
    checked_a = _clauses(a, "checked") | _clauses(a, "failed")
    checked_b = _clauses(b, "checked") | _clauses(b, "failed")
    return {
        "a": _run(a),
        "b": _run(b),
        "new": [after[k] for k in after if k not in before],
        "fixed": [before[k] for k in before if k not in after],
        "still_failing": [after[k] for k in after if k in before],
        "drift": {"new": sorted(_drift(b) - _drift(a)), "gone": sorted(_drift(a) - _drift(b))},
        "clauses": {
            "now_failing": sorted(_clauses(b, "failed") - _clauses(a, "failed")),
            "no_longer_failing": sorted(_clauses(a, "failed") - _clauses(b, "failed")),
            "newly_checked": sorted(checked_b - checked_a),
            "no_longer_checked": sorted(checked_a - checked_b),
        },
        "requests": (a.get("totals", {}).get("requests", 0), b.get("totals", {}).get("requests", 0)),
        "wall_s": (a.get("run", {}).get("duration_s", 0.0), b.get("run", {}).get("duration_s", 0.0)),
    }


def _run(summary: Mapping[str, Any]) -> dict[str, Any]:
    run = summary.get("run", {})
    return {
        "id": run.get("id", "?"),
        "started": run.get("started", ""),
        "verdict": summary.get("verdict", {}).get("text", ""),
        "profile": summary.get("profile", ""),
        "seed": summary.get("seed", ""),
    }


def _violation(v: Mapping[str, Any]) -> str:
    clauses = ", ".join(v.get("clauses") or []) or "?"
    return f"{clauses}  {v.get('operation') or '-'}  {v['test']}  ({v['check']})"


def _change(before: float, after: float, unit: str = "") -> str:
    if not before:
        return f"{before:,.0f}{unit} -> {after:,.0f}{unit}"
    return f"{before:,.0f}{unit} -> {after:,.0f}{unit} ({(after - before) / before:+.0%})"


def comparison_lines(result: Mapping[str, Any]) -> list[str]:
    """The comparison for a terminal or a CI log."""
    a, b = result["a"], result["b"]
    lines = [
        f"A: run {a['id']} {a['started']} ({a['profile']}, seed {a['seed']}): {a['verdict']}",
        f"B: run {b['id']} {b['started']} ({b['profile']}, seed {b['seed']}): {b['verdict']}",
    ]
    for title, key in (("new in B", "new"), ("fixed in B", "fixed"), ("still failing", "still_failing")):
        items = result[key]
        lines.append(f"{title}: {len(items)}")
        lines += [f"  {_violation(v)}" for v in items]
    drift = result["drift"]
    lines.append(f"drift: {len(drift['new'])} new, {len(drift['gone'])} gone")
    lines += [f"  + {op}: {detail}" for op, detail in drift["new"]]
    lines += [f"  - {op}: {detail}" for op, detail in drift["gone"]]
    clauses = result["clauses"]
    for title, key in (
        ("clauses now failing", "now_failing"),
        ("clauses no longer failing", "no_longer_failing"),
        ("clauses newly checked", "newly_checked"),
        ("clauses no longer checked", "no_longer_checked"),
    ):
        if clauses[key]:
            lines.append(f"{title}: {', '.join(clauses[key])}")
    requests_a, requests_b = result["requests"]
    wall_a, wall_b = result["wall_s"]
    lines.append(f"requests: {_change(requests_a, requests_b)}")
    lines.append(f"wall time: {_change(wall_a, wall_b, unit=' s')}")
    return lines
