"""Violations, baselines, comparisons, the corpus files, the trend chart and the cleanup card."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis.core import decode_failure, encode_failure
from hypothesis.database import choices_to_bytes

from contract.harness import decode_example, encode_example, example_key, key_name
from contract.reporting import compare, comparison_lines, history, judge, read_baseline, read_corpus, violation_of
from contract.reporting._html import render
from contract.reporting._regressions import write_regressions
from contract.reporting._trend import trend_section
from tests.contract.reporting.test_reports import summary_of


def failure(
    run: str, nodeid: str = "contract/test_machine_users.py::test_users_behave_as_documented[shard-2-of-6]"
) -> dict[str, Any]:
    expected = f"user kct-{run}-3.ab12@kestra-contract.test in groups ['{run}x9f3k2b1c0']"
    return {"nodeid": nodeid, "phase": "call", "operation": "updateUserGroups", "expected": expected, "message": ""}


def test_the_same_violation_from_another_run_and_shard_is_the_same() -> None:
    one = violation_of(failure("htojntddl"))
    other = violation_of({**failure("htqqq1234"), "nodeid": failure("x")["nodeid"].replace("shard-2", "shard-5")})
    assert one == other
    assert one["test"] == "contract/test_machine_users.py::test_users_behave_as_documented"
    assert "C-USERS-13" in one["clauses"]


def test_a_fuzz_failure_is_named_by_its_operation_and_schemathesis_checks() -> None:
    details = "  | - ST101 Server error\n  | \n  | - ST901 Custom check failed: `valid_requests_succeed`\n"
    found = violation_of({"nodeid": "contract/test_fuzz.py::test_operation[GET /api/v1/users]", "details": details})
    assert found["operation"] == "listUsers"
    assert found["check"] == "ST101 Server error; ST901 Custom check failed: `valid_requests_succeed`"
    assert found["clauses"][0] == "C-STATUS-05"


def test_a_baseline_knows_by_clause_and_operation(tmp_path: Path) -> None:
    listed = tmp_path / "known.yaml"
    listed.write_text("known:\n  - clause: C-USERS-13\n    operation: updateUserGroups\n    note: JIRA-1\n")
    baseline = read_baseline(listed)
    seen = violation_of(failure("a"))
    elsewhere = {**seen, "operation": "patchUser"}
    judged = judge([seen, elsewhere], baseline, ran=set(), clauses_checked={"C-USERS-13"})
    assert [v["operation"] for v in judged["known"]] == ["updateUserGroups"]
    assert [v["operation"] for v in judged["new"]] == ["patchUser"]  # a known one on a new operation
    gone = judge([], baseline, ran=set(), clauses_checked={"C-USERS-13"})
    assert gone["fixed"] == baseline
    assert judge([], baseline, ran=set(), clauses_checked=set())["not_checked"] == baseline


def test_a_summary_is_a_baseline_and_compares(tmp_path: Path) -> None:
    earlier = summary_of(failures=[failure("htojntddl")], tests={"failed": 1})
    later = summary_of(
        failures=[failure("htqqq1234"), failure("htqqq1234", "contract/test_regressions.py::test_q_matches")]
    )
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(earlier))
    assert read_baseline(path)[0]["source"] == "summary"
    result = compare(earlier, later)
    assert [v["test"] for v in result["new"]] == ["contract/test_regressions.py::test_q_matches"]
    assert len(result["still_failing"]) == 1
    lines = comparison_lines(result)
    assert "new in B: 1" in lines
    assert "fixed in B: 0" in lines


def test_a_corpus_file_round_trips_as_hypothesis_blobs(tmp_path: Path) -> None:
    choices = (True, 7, "kct-ab", b"\x00\x01", 1.5)
    value = choices_to_bytes(choices)
    blob = encode_example(value)
    assert blob == encode_failure(choices).decode()  # what @reproduce_failure takes
    assert tuple(decode_failure(blob.encode())) == choices
    shard = "contract/test_machine_users.py::test_users_behave_as_documented[shard-2-of-6]"
    written = write_regressions(tmp_path, [{**failure("a", shard), "examples": [blob]}], {"run": "a"})
    (path,) = written
    assert key_name(shard) in path.read_text()
    assert read_corpus(tmp_path) == {example_key(shard.replace("-of-6", "-of-15")): [value]}
    assert decode_example(blob) == value


def test_the_trend_draws_earlier_runs_with_their_failing_clauses(tmp_path: Path) -> None:
    for night, failed in (("20261201-021700-aaa", 0), ("20261202-021700-bbb", 1)):
        run_dir = tmp_path / "runs" / night
        run_dir.mkdir(parents=True)
        summary: dict[str, Any] = summary_of(failures=[failure("a")] if failed else [], tests={"failed": failed})
        summary["run"] = {
            "id": night[-3:],
            "started": f"2026-12-0{night[7]} 02:17:00",
            "duration_s": 60.0 * (1 + failed),
        }
        (run_dir / "summary.json").write_text(json.dumps(summary))
    now = summary_of()
    now["run"] = {"id": "ccc", "started": "2026-12-03 02:17:00", "duration_s": 30.0}
    points = history(tmp_path, now, limit=14)
    assert [p["run"] for p in points] == ["aaa", "bbb", "ccc"]
    section = trend_section(points)
    assert section.count("<rect") == 3 * 4  # four panels, a bar per run
    assert "failing clauses: C-USERS-13" in section
    assert "<script" not in render(now, None, points)
    assert trend_section(points[-1:]) == ""  # nothing to compare with


def test_the_cleanup_card_says_what_is_left_first() -> None:
    deleted = [{"kind": "user", "id": f"u{i}", "label": ""} for i in range(135)]
    page = render(summary_of(cleanup={"deleted": deleted, "already_gone": [], "failed": []}, created=475))
    card = re.search(r'<div class="card ok"><div class="k">Left on the server</div><div class="v">(.*?)</div>'
                     r'<div class="s">(.*?)</div>', page)  # fmt: skip
    assert card is not None
    assert card.groups() == ("0", "475 created · 340 deleted by the tests · 135 by cleanup")
    assert "its tests deleted 340 themselves, cleanup deleted 135; nothing is left on the server." in page
