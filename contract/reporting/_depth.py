"""How far a run got: examples per test, tests the budget stopped early or left out, requests.

Under `--budget` a run goes as deep as fits; this says how deep that was, for
summary.json, index.html, the terminal and the CI job summary alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from contract.harness import Budget, format_duration, stopped_by_budget
from contract.reporting._violations import test_function

__all__ = ["completion", "completion_line", "depth", "depth_line", "merge_progress"]


def merge_progress(snapshots: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """Each process's `Progress.snapshot()`, added up (a test runs in one process, so nothing is counted twice)."""
    counts: dict[str, dict[str, int]] = {
        "examples": {},
        "completed": {},
        "cut_short": {},
        "retried": {},
        "abandoned": {},
    }
    cut: set[str] = set()
    failed_at: dict[str, int] = {}
    for snapshot in snapshots:
        if not snapshot:
            continue
        for key, per_test in counts.items():
            for test, count in snapshot.get(key, {}).items():
                per_test[test] = per_test.get(test, 0) + int(count)
        cut.update(snapshot.get("cut", []))
        failed_at.update(snapshot.get("failed_at", {}))
    return {
        **{key: dict(sorted(per_test.items())) for key, per_test in counts.items()},
        "cut": sorted(cut),
        "failed_at": dict(sorted(failed_at.items())),
    }


def completion(progress: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per test function whose examples say how they ended (the state machines, all shards together):
    examples (those hypothesis abandoned on its own, its data run out, left out), run to their end,
    and cut short by an unstable target; shards run again.
    """
    told = {test_function(t) for t in (*progress.get("completed", {}), *progress.get("cut_short", {}))}
    functions: dict[str, dict[str, int]] = {}
    for test, count in progress.get("examples", {}).items():
        if test_function(test) not in told:
            continue
        row = functions.setdefault(
            test_function(test), {"examples": 0, "completed": 0, "cut_short": 0, "shards_run_again": 0}
        )
        row["examples"] += int(count) - int(progress.get("abandoned", {}).get(test, 0))
        row["completed"] += int(progress.get("completed", {}).get(test, 0))
        row["cut_short"] += int(progress.get("cut_short", {}).get(test, 0))
        row["shards_run_again"] += int(progress.get("retried", {}).get(test, 0))
    return dict(sorted(functions.items()))


def completion_line(data: dict[str, Any]) -> str:
    """`machine examples completed: 34 of 36 (94%); cut short by an unstable target: 2`, or ""."""
    rows = data.get("completion", {}).values()
    examples = sum(r["examples"] for r in rows)
    if not examples:
        return ""
    completed, cut = sum(r["completed"] for r in rows), sum(r["cut_short"] for r in rows)
    again = sum(r.get("shards_run_again", 0) for r in rows)
    line = (
        f"machine examples completed: {completed} of {examples} ({100 * completed / examples:.0f}%); "
        f"cut short by an unstable target: {cut}"
    )
    return line + (f"; shards run again: {again}" if again else "")


def depth(
    budget_info: dict[str, Any] | None, progress: dict[str, Any], not_started: Iterable[str], requests: int
) -> dict[str, Any]:
    """The `depth` part of summary.json."""
    budget = Budget.from_info(budget_info)
    examples: dict[str, int] = progress.get("examples", {})
    stop_at = budget.stop_at
    return {
        "budget_s": budget.seconds,
        "reserve_s": budget.reserve if budget.seconds is not None else None,
        "stop_new_at": time.strftime("%H:%M:%S", time.localtime(stop_at)) if stop_at is not None else None,
        "examples": sum(examples.values()),
        "examples_per_test": examples,
        "completion": completion(progress),
        "stopped_early": list(progress.get("cut", [])),
        #: The example on which each failing test first failed (1: its first, as when replayed from memory).
        "failed_at_example": dict(progress.get("failed_at", {})),
        # Each stopped test passed every example and check it ran; it says so, and how far it got.
        "stopped_by_budget": {test: stopped_by_budget(examples.get(test, 0)) for test in progress.get("cut", [])},
        "not_started": sorted(not_started),
        "requests": requests,
    }


def depth_line(data: dict[str, Any]) -> str:
    """One line: `ran 812 examples in 42 tests, 301,220 requests; budget 45m00s: ...`, and how many
    machine examples ran to their end.
    """
    tests = len(data.get("examples_per_test", {}))
    line = f"ran {data['examples']:,} examples in {tests} tests, {data['requests']:,} requests"
    completed = completion_line(data)
    line += f"; {completed}" if completed else ""
    if data.get("budget_s") is None:
        return line
    cut, left = len(data["stopped_early"]), len(data["not_started"])
    budget = f"budget {format_duration(data['budget_s'])} (new work stopped at {data['stop_new_at']})"
    if not cut and not left:
        return f"{line}; {budget}: everything fit"
    return f"{line}; {budget}: {cut} tests stopped early, {left} not started"
