"""The clause table: which clauses of specs/clauses.yaml this run checked, and how that went.

A clause counts as checked when a test that checks it (its `checks` patterns) ran, passed
or not; a clause no test of the selection ran stays unchecked, so a `-m`, `-k` or
`--read-only` run shows what it left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

import specs

__all__ = ["ClauseState", "clause_rows", "clause_totals"]

#: a test checking it failed; tests checking it ran and passed; no test checking it ran.
ClauseState = Literal["failed", "checked", "unchecked"]

_NOT_RUN = frozenset({"skipped"})
_FAILED = frozenset({"failed", "errors"})


def _function(nodeid: str) -> str:
    """The test function of a node id: its parameters are counted, not listed."""
    return nodeid.split("[", 1)[0]


def clause_rows(outcomes: Mapping[str, str], version: int | None = None) -> list[dict[str, Any]]:
    """One row per clause of the run's contract version (the active one unless given): how many tests
    that check it ran and failed, grouped by test function. A clause of another version has no row.
    """
    version = specs.active_version() if version is None else version
    ran = {nodeid: outcome for nodeid, outcome in outcomes.items() if outcome not in _NOT_RUN}
    rows = []
    for clause in (c for c in specs.clauses() if c.applies_to(version)):
        tests = [nodeid for nodeid in ran if clause.checked_by(nodeid)]
        failed = [nodeid for nodeid in tests if ran[nodeid] in _FAILED]
        state: ClauseState = "failed" if failed else "checked" if tests else "unchecked"
        rows.append(
            {
                "id": clause.id,
                "text": clause.text,
                "kind": clause.kind,
                "operations": list(clause.operations),
                "versions": list(clause.versions),
                "state": state,
                "exercised": len(tests),
                "failed": len(failed),
                "tests": dict(sorted(Counter(_function(n) for n in tests).items())),
                "failed_tests": sorted(failed),
            }
        )
    return rows


def clause_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "clauses": len(rows),
        "clauses_checked": sum(1 for row in rows if row["state"] != "unchecked"),
        "clauses_failed": sum(1 for row in rows if row["state"] == "failed"),
    }
