"""The suite catches every fault of the reference server, and passes against the clean server.

Each case runs the real suite (`pytest contract`, default profile) in a subprocess
against a reference server of its own. Fault runs select the part of the suite the
catalogue names and stop at the first failure (`-x`); clean runs are the whole suite.
They are slow, one suite run each: run them in parallel (`pytest tests -n 2`).
Each fault breaks one clause of specs/clauses.yaml, and a test that checks that clause
must be among those that catch it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import specs
from reference_server import FAULTS
from tests._suite_runner import (
    CLEAN_CONFIGURATIONS,
    SuiteRun,
    default_seed,
    relevant_failures,
    run_clean,
    run_fault,
)


def _explain(run: SuiteRun) -> str:
    failed = "\n".join(f"  {c.outcome}: {c.nodeid}" for c in run.failures) or "  (none)"
    header = f"exit code {run.exit_code} after {run.wall_seconds:.0f}s, seed {run.seed}"
    return f"{header}\nfailing tests:\n{failed}\n--- output ---\n{run.tail()}"


# Clean runs first: they are the longest, and xdist hands tests out in this order.
@pytest.mark.parametrize("configuration", list(CLEAN_CONFIGURATIONS))
def test_suite_passes_against_the_clean_server(configuration: str, tmp_path: Path) -> None:
    run = run_clean(CLEAN_CONFIGURATIONS[configuration], tmp_path, seed=default_seed())
    assert run.exit_code == 0, f"false alarm against the clean server ({configuration}):\n{_explain(run)}"
    assert any(c.outcome == "passed" for c in run.cases), f"the suite ran no test:\n{_explain(run)}"


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_suite_catches_fault(name: str, tmp_path: Path) -> None:
    fault = FAULTS[name]
    clause = specs.clauses_by_id()[fault.clause]
    run = run_fault(name, tmp_path, seed=default_seed())
    assert run.exit_code == 1, f"{name} ({fault.description}; breaks {clause.id}) was not caught:\n{_explain(run)}"
    relevant = relevant_failures(run, fault)
    assert relevant, f"{name} made only tests outside {fault.marker_expression} fail:\n{_explain(run)}"
    assert any(clause.checked_by(c.nodeid) for c in relevant), (
        f"{name} breaks {clause.id} ({clause.text}), but no check of that clause caught it:\n{_explain(run)}"
    )
