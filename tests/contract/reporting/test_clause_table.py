"""The clause table of summary.json and index.html: what this run checked, failed, or left out."""

from __future__ import annotations

from typing import Any

import specs
from contract.reporting._clauses import clause_rows, clause_totals
from contract.reporting._html import render
from contract.reporting._summary import build_summary, merge_payloads

FUZZ_LIST = "contract/test_fuzz.py::test_operation[GET /api/v1/users]"
PAGES = "contract/test_regressions.py::test_pages_below_one_are_refused"


def _rows(outcomes: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in clause_rows(outcomes)}


def test_a_clause_counts_the_tests_that_ran_and_failed_and_names_their_functions() -> None:
    rows = _rows({f"{PAGES}[0-10]": "passed", f"{PAGES}[1-0]": "failed", FUZZ_LIST: "passed"})
    pages = rows["C-LIST-01"]
    assert pages["state"] == "failed"
    assert (pages["exercised"], pages["failed"]) == (3, 1)
    assert pages["tests"] == {PAGES: 2, "contract/test_fuzz.py::test_operation": 1}
    assert pages["failed_tests"] == [f"{PAGES}[1-0]"]


def test_skipped_tests_check_nothing_and_unchecked_clauses_say_so() -> None:
    rows = _rows({FUZZ_LIST: "skipped", "contract/test_readonly.py::test_unknown_ids_are_not_found[getUser]": "passed"})
    assert rows["C-LIST-01"]["state"] == "unchecked"
    assert rows["C-LIST-01"]["exercised"] == 0
    assert rows["C-STATUS-15"]["state"] == "checked"
    totals = clause_totals(list(rows.values()))
    assert totals["clauses"] == len(_of_version(1))
    assert totals["clauses_checked"] == sum(1 for r in rows.values() if r["state"] == "checked")
    assert totals["clauses_failed"] == 0


def test_the_report_shows_every_clause_with_its_state() -> None:
    rows = clause_rows({f"{PAGES}[0-10]": "failed"})
    merged = merge_payloads([{"worker": "main", "operations": {}, "drift": [], "cleanup": None}])
    meta = {"run": {"id": "r1", "dir": "/tmp/r"}, "target": {}, "sdk": {}, "profile": "default", "seed": 1}
    tests = {"passed": 0, "failed": 1, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0, "total": 1}
    summary = build_summary(meta, tests, {}, [], merged, 0, [], rows)
    failed = [row["id"] for row in rows if row["state"] == "failed"]
    assert "C-LIST-01" in failed
    assert summary["totals"]["clauses_failed"] == len(failed)
    assert summary["clauses"][0]["id"] == specs.clauses()[0].id
    page = render(summary)
    assert 'id="clauses"' in page
    assert page.count('<tr class="k-failed"') == len(failed)
    assert page.count('<tr class="k-unchecked"') == len(_of_version(1)) - len(failed)
    assert "C-LIST-01" in page


def _of_version(version: int) -> list[specs.Clause]:
    return [c for c in specs.clauses() if c.applies_to(version)]


def test_the_table_holds_the_clauses_of_the_runs_contract_version() -> None:
    for version in specs.VERSIONS:
        rows = clause_rows({}, version)
        assert [row["id"] for row in rows] == [c.id for c in _of_version(version)]
        assert all(version in row["versions"] for row in rows)
    one, two = ({row["id"] for row in clause_rows({}, v)} for v in (1, 2))
    assert "C-TOKENS-01" in one - two  # 1.x: a user's token create answers 200
    assert "C-TOKENS-18" in two - one  # 2.x: 201


def test_each_part_is_checked_by_its_own_tests_and_says_what_proves_it() -> None:
    tokens_machine = "contract/test_machine_tokens.py::test_tokens_behave_as_documented[shard-1-of-6]"
    user_path = "contract/test_fuzz.py::test_operation[DELETE /api/v1/users/{id}/api-tokens/{tokenId}]"
    rows = _rows({tokens_machine: "passed", user_path: "failed"})
    parts = {part["id"]: part for part in rows["C-TOKENS-14"]["parts"]}
    assert list(parts) == ["C-TOKENS-14.1", "C-TOKENS-14.2"]
    assert (parts["C-TOKENS-14.1"]["state"], parts["C-TOKENS-14.1"]["failed"]) == ("failed", 1)
    assert (parts["C-TOKENS-14.2"]["state"], parts["C-TOKENS-14.2"]["exercised"]) == ("checked", 1)
    assert parts["C-TOKENS-14.2"]["proven_by"] == list(specs.proofs()["C-TOKENS-14.2"])
    assert [part["id"] for part in rows["C-LIST-02"]["parts"]] == ["C-LIST-02"]
    suite_clause = rows["C-SAFETY-01"]["parts"][0]
    assert suite_clause["proven_by"] == list(specs.clauses_by_id()["C-SAFETY-01"].proven_by)
    totals = clause_totals(list(rows.values()))
    assert totals["parts"] == sum(len(c.parts) for c in _of_version(specs.active_version()))
    assert totals["parts_proven"] == totals["parts"]
    assert totals["parts_failed"] == sum(1 for r in rows.values() for p in r["parts"] if p["state"] == "failed")
