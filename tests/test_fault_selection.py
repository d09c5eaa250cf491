"""Each fault runs only against the suite tests that check the part it breaks (tests/_suite_runner.py).

The selection is made in the subprocess suite run by tests._suite_probe (`--kct-only`, the
part's node-id patterns), narrowed by the fault's -k keyword, targeted tests before the
state machines: here it is collected, not run.
"""

from __future__ import annotations

import subprocess
import sys

from reference_server import FAULTS
from tests._suite_runner import REPO, broken_part, fault_selection
from tests.specs.test_clauses import suite_tests


def _collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "contract", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [line for line in done.stdout.splitlines() if line.startswith("contract/") and "::" in line]


def test_a_fault_runs_only_the_checks_of_its_part() -> None:
    """A service-account path fault: the checks of C-TOKENS-14.2 (the tokens machine's shards and the
    token-path regressions), not C-TOKENS-14.1's fuzz check of the user path, nor anything else.
    """
    fault = FAULTS["sa-path-token-delete-any-owner"]
    part = broken_part(fault)
    selected = _collected("-p", "tests._suite_probe", *(arg for arg in fault_selection(fault) if arg != "-x"))
    assert selected, "its selection names no test of the suite"
    assert all(part.checked_by(nodeid) for nodeid in selected), [n for n in selected if not part.checked_by(n)]
    checks = [nodeid for nodeid in suite_tests() if part.checked_by(nodeid)]
    assert set(selected) == set(checks), "every check of the part the keyword allows, and nothing else"
    assert len(selected) < len(suite_tests())
    machines = [i for i, nodeid in enumerate(selected) if "/test_machine_" in nodeid]
    assert machines, "the tokens machine checks the part too"
    assert machines == list(range(len(selected) - len(machines), len(selected))), "the targeted tests go first"


def test_every_fault_names_a_part_its_clause_has() -> None:
    for name, fault in FAULTS.items():
        part = broken_part(fault)
        assert part.clause_id == fault.clause, name
        assert part.checks, f"{name}: {part.id} has no check to run"
