"""How far the clauses of specs/clauses.yaml and their parts are checked and proven: for README, bench
and tests; and specs/proofs.yaml, which faults prove each part (the suite's reports read it).

    python -m tests._clause_coverage           # the README sentence
    python -m tests._clause_coverage --write   # regenerate specs/proofs.yaml from the faults
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import yaml

import specs
from reference_server import FAULTS

__all__ = ["Coverage", "coverage", "proofs_text", "readme_sentence"]


@dataclass(frozen=True)
class Coverage:
    clauses: int
    #: Clauses that name at least one suite test checking them.
    checked: int
    #: Clauses about the server that a self-test fault breaks.
    by_fault: int
    #: Clauses about the suite itself (data safety, tolerance, real deployments), and how many of
    #: them project tests prove today.
    about_the_suite: int
    by_project_test: int
    #: Clauses about the suite whose proof another open issue owns.
    pending: int
    #: Parts of all clauses; of the server's, how many have a check and a fault that breaks them.
    parts: int
    server_parts: int
    server_parts_checked: int
    server_parts_proven: int
    #: Self-test faults.
    faults: int


def _proofs() -> dict[str, list[str]]:
    """Part id -> the faults that break it, for every part of a clause about the server."""
    found: dict[str, list[str]] = {
        part.id: [] for clause in specs.clauses() if clause.kind == "server" for part in clause.parts
    }
    for name, fault in sorted(FAULTS.items()):
        found.setdefault(fault.part_id, []).append(name)
    return found


def proofs_text() -> str:
    """specs/proofs.yaml as it should read."""
    header = (
        "# Which self-test faults of reference_server/_faults.py break each part of a clause about the\n"
        "# server. Generated: python -m tests._clause_coverage --write (tests/specs/test_clauses.py\n"
        "# fails when it is stale). The suite's reports read it to show which parts are proven.\n"
    )
    return header + yaml.safe_dump(_proofs(), sort_keys=False, default_flow_style=None, width=120)


def coverage() -> Coverage:
    clauses = specs.clauses()
    broken = {fault.clause for fault in FAULTS.values()}
    proven_parts = {fault.part_id for fault in FAULTS.values()}
    suite = [c for c in clauses if c.kind == "suite"]
    server_parts = [p for c in clauses if c.kind == "server" for p in c.parts]
    return Coverage(
        clauses=len(clauses),
        checked=sum(1 for c in clauses if c.checks),
        by_fault=sum(1 for c in clauses if c.kind == "server" and c.id in broken),
        about_the_suite=len(suite),
        by_project_test=sum(1 for c in suite if c.proven_by),
        pending=sum(1 for c in suite if c.pending),
        parts=sum(len(c.parts) for c in clauses),
        server_parts=len(server_parts),
        server_parts_checked=sum(1 for p in server_parts if p.checks),
        server_parts_proven=sum(1 for p in server_parts if p.id in proven_parts),
        faults=len(FAULTS),
    )


def readme_sentence() -> str:
    """The sentence README.md carries between its clauses markers."""
    c = coverage()
    per_version = ", ".join(
        f"{sum(1 for clause in specs.clauses() if clause.applies_to(v))} hold in contract {v}" for v in specs.VERSIONS
    )
    return (
        f"{c.clauses} clauses ({per_version}) in {c.parts} parts; {c.checked} clauses are checked by the "
        f"suite; the {c.clauses - c.about_the_suite} about the server are each proven by a self-test fault "
        f"({c.by_fault} of them), and of their {c.server_parts} parts, {c.server_parts_checked} are checked and "
        f"{c.server_parts_proven} proven by a fault of their own ({c.faults} faults); of the "
        f"{c.about_the_suite} about the suite itself, {c.by_project_test} are proven by project tests "
        f"({c.pending} wait for proofs that other open issues own)."
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        specs.PROOFS_PATH.write_text(proofs_text())
        print(f"wrote {specs.PROOFS_PATH}")
    else:
        print(readme_sentence())
