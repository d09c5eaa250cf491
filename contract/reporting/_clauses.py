"""The clause table: which clauses of specs/clauses.yaml this run checked, and how that went.

A clause counts as checked when a test that checks it (its `checks` patterns) ran, passed
or not; a clause no test of the selection ran stays unchecked, so a `-m`, `-k` or
`--read-only` run shows what it left out. Each clause lists its parts (a clause stated as
one part has one, its own id), each checked or not by this run in the same way, and
proven or not: broken by a self-test fault the suite is shown to catch
(specs/proofs.yaml), or, for a clause about the suite itself, by project tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

import specs
from contract.reporting._violations import test_function

__all__ = ["ClauseState", "clause_rows", "clause_totals"]

#: a test checking it failed; tests checking it ran and passed; no test checking it ran.
ClauseState = Literal["failed", "checked", "unchecked"]

_NOT_RUN = frozenset({"skipped"})
_FAILED = frozenset({"failed", "errors"})


def _state(tests: list[str], ran: Mapping[str, str]) -> tuple[ClauseState, list[str]]:
    failed = [nodeid for nodeid in tests if ran[nodeid] in _FAILED]
    return ("failed" if failed else "checked" if tests else "unchecked"), failed


def _part_rows(clause: specs.Clause, ran: Mapping[str, str], proofs: Mapping[str, tuple[str, ...]]) -> list[Any]:
    rows = []
    for part in clause.parts:
        tests = [nodeid for nodeid in ran if part.checked_by(nodeid)]
        state, failed = _state(tests, ran)
        proven_by = list(clause.proven_by) if clause.kind == "suite" else list(proofs.get(part.id, ()))
        rows.append(
            {
                "id": part.id,
                "text": part.text,
                "state": state,
                "exercised": len(tests),
                "failed": len(failed),
                "proven": bool(proven_by),
                "proven_by": proven_by,
            }
        )
    return rows


def clause_rows(outcomes: Mapping[str, str], version: int | None = None) -> list[dict[str, Any]]:
    """One row per clause of the run's contract version (the active one unless given): how many tests
    that check it ran and failed, grouped by test function; and its parts. A clause of another version
    has no row.
    """
    version = specs.active_version() if version is None else version
    ran = {nodeid: outcome for nodeid, outcome in outcomes.items() if outcome not in _NOT_RUN}
    proofs = specs.proofs()
    rows = []
    for clause in (c for c in specs.clauses() if c.applies_to(version)):
        tests = [nodeid for nodeid in ran if clause.checked_by(nodeid)]
        state, failed = _state(tests, ran)
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
                "tests": dict(sorted(Counter(test_function(n) for n in tests).items())),
                "failed_tests": sorted(failed),
                "parts": _part_rows(clause, ran, proofs),
            }
        )
    return rows


def clause_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    parts = [part for row in rows for part in row.get("parts", ())]
    return {
        "clauses": len(rows),
        "clauses_checked": sum(1 for row in rows if row["state"] != "unchecked"),
        "clauses_failed": sum(1 for row in rows if row["state"] == "failed"),
        "parts": len(parts),
        "parts_checked": sum(1 for part in parts if part["state"] != "unchecked"),
        "parts_failed": sum(1 for part in parts if part["state"] == "failed"),
        "parts_proven": sum(1 for part in parts if part["proven"]),
    }
