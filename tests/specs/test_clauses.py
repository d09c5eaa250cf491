"""No part without a check, no check without a fault: specs/clauses.yaml against the suite and the faults.

Every part of a clause about the server (a clause without `parts` is one part) must be
broken by a self-test fault of its own (tests/test_faults.py then proves the suite catches
it, in a test that checks that part). The few clauses about the suite itself name project
tests instead (`proven_by`), or the open issue that owns the missing proof (`pending`).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

import specs
from reference_server import FAULTS
from tests._clause_coverage import proofs_text, readme_sentence

REPO = Path(__file__).resolve().parents[2]
CLAUSES = specs.clauses()


@cache
def suite_tests() -> tuple[str, ...]:
    """The node ids `pytest contract` collects (against the embedded server, which collection starts)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "contract", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    ids = tuple(line for line in done.stdout.splitlines() if line.startswith("contract/") and "::" in line)
    assert ids, done.stdout[-2000:] + done.stderr[-2000:]
    return ids


def test_ids_are_unique_and_numbered_in_order_within_each_section() -> None:
    ids = [c.id for c in CLAUSES]
    assert len(ids) == len(set(ids))
    numbers: dict[str, list[int]] = {}
    for clause_id in ids:
        match = re.fullmatch(r"C-([A-Z]+)-(\d\d)", clause_id)
        assert match, clause_id
        numbers.setdefault(match.group(1), []).append(int(match.group(2)))
    for section, seen in numbers.items():
        assert seen == list(range(1, len(seen) + 1)), f"C-{section}: {seen}"


def test_each_clause_is_one_line_about_documented_operations() -> None:
    for clause in CLAUSES:
        known = {op for v in clause.versions for op in specs.contract(v).operations_by_id} | {"*"}
        assert clause.text.strip(), clause.id
        assert "\n" not in clause.text, clause.id
        assert clause.operations, clause.id
        assert set(clause.operations) <= known, (clause.id, set(clause.operations) - known)
        assert set(clause.versions) <= set(specs.VERSIONS), clause.id


def test_every_clause_has_a_check_and_every_check_names_a_suite_test() -> None:
    collected = suite_tests()
    for clause in CLAUSES:
        assert clause.checks, f"{clause.id} has no check"
        for pattern in clause.checks:
            probe = specs.Clause(clause.id, clause.text, clause.operations, (pattern,))
            assert any(probe.checked_by(nodeid) for nodeid in collected), f"{clause.id}: {pattern} names no test"


def test_parts_are_numbered_in_order_and_say_something_of_their_own() -> None:
    for clause in CLAUSES:
        if not clause.stated_parts:
            continue
        assert len(clause.stated_parts) > 1, f"{clause.id}: a clause of one part states no `parts`"
        ids = [part.id for part in clause.stated_parts]
        assert ids == [f"{clause.id}.{n}" for n in range(1, len(ids) + 1)], ids
        texts = [part.text.strip() for part in clause.stated_parts]
        assert all(texts), f"{clause.id}: a part without text"
        assert len(set(texts)) == len(texts), f"{clause.id}: each part says something else"
        assert all("\n" not in text for text in texts), clause.id
        for part in clause.stated_parts:
            assert part.checks, f"{part.id} has no check"
            assert set(part.checks) <= set(clause.checks), f"{part.id}: its checks are among its clause's"
    assert not [c.id for c in CLAUSES if c.kind == "suite" and c.stated_parts], "project tests prove suite clauses"


def test_every_part_has_a_check_that_names_a_suite_test() -> None:
    collected = suite_tests()
    for part in specs.parts_by_id().values():
        for pattern in part.checks:
            probe = specs.Part(part.id, part.text, (pattern,))
            assert any(probe.checked_by(nodeid) for nodeid in collected), f"{part.id}: {pattern} names no test"


def test_every_part_of_a_clause_about_the_server_is_broken_by_a_fault_of_its_own() -> None:
    by_id = specs.clauses_by_id()
    for name, fault in FAULTS.items():
        clause = by_id.get(fault.clause)
        assert clause is not None, f"{name} names no clause of specs/clauses.yaml"
        try:
            clause.part(fault.part)
        except KeyError as error:
            raise AssertionError(f"{name}: {error}") from None
    proven = {fault.part_id for fault in FAULTS.values()}
    unproven = [p.id for c in CLAUSES if c.kind == "server" for p in c.parts if p.id not in proven]
    assert not unproven, f"parts no self-test fault breaks: {unproven}"


def test_the_proofs_file_is_current() -> None:
    assert specs.PROOFS_PATH.read_text() == proofs_text(), "regenerate: python -m tests._clause_coverage --write"


def test_every_clause_about_the_server_is_broken_by_a_fault() -> None:
    by_id = specs.clauses_by_id()
    unknown = {name: f.clause for name, f in FAULTS.items() if f.clause not in by_id}
    assert not unknown, f"faults naming no clause of specs/clauses.yaml: {unknown}"
    broken = {f.clause for f in FAULTS.values()}
    unproven = [c.id for c in CLAUSES if c.kind == "server" and c.id not in broken]
    assert not unproven, f"clauses no self-test fault breaks: {unproven}"
    about_the_suite = {c.id for c in CLAUSES if c.kind == "suite"}
    assert not {name for name, f in FAULTS.items() if f.clause in about_the_suite}, "a fault cannot break the suite"


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_clauses_about_the_suite_are_few_and_name_real_project_tests() -> None:
    suite = [c for c in CLAUSES if c.kind == "suite"]
    assert len(suite) <= len(CLAUSES) // 5, "the exception for clauses about the suite is meant to stay small"
    for clause in CLAUSES:
        assert clause.kind in ("server", "suite"), clause.id
        if clause.kind == "server":
            assert not clause.proven_by, f"{clause.id}: a clause about the server is proven by a fault"
            assert not clause.pending, f"{clause.id}: a clause about the server is proven by a fault"
            continue
        assert clause.proven_by or clause.pending, f"{clause.id}: no project test proves it and no issue owns it"
        for nodeid in clause.proven_by:
            file, _, name = nodeid.partition("::")
            assert file.startswith("tests/"), f"{clause.id}: {nodeid} is not a project test"
            assert (REPO / file).is_file(), f"{clause.id}: no file {file}"
            assert name.split("[")[0] in _test_functions(REPO / file), f"{clause.id}: no test {nodeid}"


@pytest.mark.parametrize("document", ["README.md"])
def test_the_readme_states_the_current_counts(document: str) -> None:
    text = (REPO / document).read_text()
    block = re.search(r"<!-- clauses:start -->\s*(.*?)\s*<!-- clauses:end -->", text, re.S)
    assert block, f"{document} has no clauses block"
    assert " ".join(block.group(1).split()) == readme_sentence(), "regenerate: python -m tests._clause_coverage"
