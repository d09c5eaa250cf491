"""How far the clauses of specs/clauses.yaml are checked and proven: for README, bench and tests."""

from __future__ import annotations

from dataclasses import dataclass

import specs
from reference_server import FAULTS

__all__ = ["Coverage", "coverage", "readme_sentence"]


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


def coverage() -> Coverage:
    clauses = specs.clauses()
    broken = {fault.clause for fault in FAULTS.values()}
    suite = [c for c in clauses if c.kind == "suite"]
    return Coverage(
        clauses=len(clauses),
        checked=sum(1 for c in clauses if c.checks),
        by_fault=sum(1 for c in clauses if c.kind == "server" and c.id in broken),
        about_the_suite=len(suite),
        by_project_test=sum(1 for c in suite if c.proven_by),
        pending=sum(1 for c in suite if c.pending),
    )


def readme_sentence() -> str:
    """The sentence README.md carries between its clauses markers."""
    c = coverage()
    per_version = ", ".join(
        f"{sum(1 for clause in specs.clauses() if clause.applies_to(v))} hold in contract {v}" for v in specs.VERSIONS
    )
    return (
        f"{c.clauses} clauses ({per_version}); {c.checked} are checked by the suite; "
        f"the {c.clauses - c.about_the_suite} about "
        f"the server are each proven by a self-test fault ({c.by_fault} of them), and of the "
        f"{c.about_the_suite} about the suite itself, {c.by_project_test} are proven by project tests "
        f"({c.pending} wait for proofs that other open issues own)."
    )


if __name__ == "__main__":
    print(readme_sentence())
