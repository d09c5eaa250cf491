"""How far a run got: examples per test, tests the budget stopped early or left out, requests.

Under `--budget` a run goes as deep as fits; this says how deep that was, for
summary.json, index.html, the terminal and the CI job summary alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from contract.harness import Budget, format_duration

__all__ = ["depth", "depth_line", "merge_progress"]


def merge_progress(snapshots: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """Each process's `Progress.snapshot()`, added up (a test runs in one process, so nothing is counted twice)."""
    examples: dict[str, int] = {}
    cut: set[str] = set()
    failed_at: dict[str, int] = {}
    for snapshot in snapshots:
        if not snapshot:
            continue
        for test, count in snapshot.get("examples", {}).items():
            examples[test] = examples.get(test, 0) + int(count)
        cut.update(snapshot.get("cut", []))
        failed_at.update(snapshot.get("failed_at", {}))
    return {
        "examples": dict(sorted(examples.items())),
        "cut": sorted(cut),
        "failed_at": dict(sorted(failed_at.items())),
    }


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
        "stopped_early": list(progress.get("cut", [])),
        #: The example on which each failing test first failed (1: its first, as when replayed from memory).
        "failed_at_example": dict(progress.get("failed_at", {})),
        "not_started": sorted(not_started),
        "requests": requests,
    }


def depth_line(data: dict[str, Any]) -> str:
    """One line: `ran 812 examples in 42 tests, 301,220 requests; budget 45m00s: ...`."""
    tests = len(data.get("examples_per_test", {}))
    line = f"ran {data['examples']:,} examples in {tests} tests, {data['requests']:,} requests"
    if data.get("budget_s") is None:
        return line
    cut, left = len(data["stopped_early"]), len(data["not_started"])
    budget = f"budget {format_duration(data['budget_s'])} (new work stopped at {data['stop_new_at']})"
    if not cut and not left:
        return f"{line}; {budget}: everything fit"
    return f"{line}; {budget}: {cut} tests stopped early, {left} not started"
