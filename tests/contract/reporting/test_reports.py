"""Reports: recording, merging worker payloads, summary.json, index.html, and a real run in Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from contract.harness import Credentials, Entry, Exchange, Ledger, merge_snapshots
from contract.harness.records._stats import Record
from contract.harness.sending import SecretBook
from contract.plugin._report import PAYLOAD_KEY, ReportPlugin
from contract.reporting._files import point_latest, read_matrix
from contract.reporting._html import render
from contract.reporting._outcomes import Outcomes, failure_record
from contract.reporting._summary import build_summary, ledger_state, merge_payloads, status_class
from contract.reporting.markdown import markdown
from tests._png import read_png

CHROMIUM = Path("/usr/bin/chromium")


def exchange(operation: str, status: int) -> Exchange:
    request = httpx.Request("GET", "http://127.0.0.1:1/api/v1/users")
    return Exchange(operation, request, httpx.Response(status, request=request))


def payload(worker: str, record: Record, **extra: Any) -> dict[str, Any]:
    return {"worker": worker, "operations": record.snapshot(), "drift": [], "cleanup": None, **extra}


def summary_of(
    operations: dict[str, dict[str, Any]] | None = None,
    tests: dict[str, int] | None = None,
    failures: list[dict[str, Any]] | None = None,
    drift: list[dict[str, Any]] | None = None,
    cleanup: dict[str, Any] | None = None,
    alive: list[Entry] | None = None,
    created: int = 0,
) -> dict[str, Any]:
    merged = merge_payloads(
        [{"worker": "gw0", "operations": operations or {}, "drift": drift or [], "cleanup": cleanup}]
    )
    meta = {
        "run": {"id": "abc123", "dir": "/tmp/r", "duration_s": 1.5},
        "target": {"base_url": "http://127.0.0.1:1", "embedded": True, "tenant": "main", "identity": "user a"},
        "sdk": {"package": "kestrapy", "version": "1.0.0b7"},
        "profile": "default",
        "seed": 7,
    }
    counts = {"passed": 3, "failed": 0, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0, "total": 3}
    return build_summary(meta, {**counts, **(tests or {})}, {}, failures or [], merged, created, alive or [])


def ops(**statuses: dict[int, int]) -> dict[str, dict[str, Any]]:
    return {
        op: {"requests": sum(seen.values()), "statuses": {str(c): n for c, n in seen.items()}, "checks": {}}
        for op, seen in statuses.items()
    }


# Recording and merging


def test_record_counts_requests_statuses_and_checks_per_operation() -> None:
    record = Record()
    for status in (200, 200, 404):
        record.observe(exchange("getUser", status))
    record.request("listUsers", 500)
    record.check("getUser", "status_code_conformance", True)
    record.check("getUser", "status_code_conformance", False)
    record.check("getUser", "not_a_server_error", True)
    record.unstable("getUser", "502 from a gateway (text/html, 90 bytes) (after 4 tries)")
    record.unstable("getUser", "ReadTimeout: timed out (after 4 tries)")
    record.resolved("deleteUser", "not made")
    snapshot = record.snapshot()
    assert snapshot["deleteUser"]["resolved"] == {"not made": 1}
    assert snapshot["getUser"] == {
        "requests": 3,
        "unstable": {"502 from a gateway": 1, "ReadTimeout": 1},
        "resolved": {},
        "statuses": {"200": 2, "404": 1},
        "checks": {"not_a_server_error": {"run": 1, "failed": 0}, "status_code_conformance": {"run": 2, "failed": 1}},
    }
    assert snapshot["listUsers"]["statuses"] == {"500": 1}
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_worker_snapshots_add_up() -> None:
    first, second = Record(), Record()
    first.observe(exchange("getUser", 200))
    first.check("getUser", "schema", False)
    second.observe(exchange("getUser", 200))
    second.observe(exchange("getUser", 401))
    second.check("getUser", "schema", True)
    second.observe(exchange("deleteUser", 204))
    merged = merge_snapshots([first.snapshot(), second.snapshot()])
    assert merged["getUser"].requests == 3
    assert dict(merged["getUser"].statuses) == {200: 2, 401: 1}
    assert merged["getUser"].checks_run["schema"] == 2
    assert merged["getUser"].checks_failed["schema"] == 1
    assert merged["deleteUser"].requests == 1


def test_merge_keeps_one_drift_per_finding_and_the_last_word_on_each_object() -> None:
    drift = {"operation": "createUser", "detail": "accepted a body without password", "curl": "curl -X POST a"}
    user = {"kind": "user", "id": "u1", "label": "kct-a@x"}
    worker = payload(
        "gw0",
        Record(),
        drift=[drift],
        cleanup={"deleted": [], "already_gone": [], "failed": [{**user, "reason": "500"}]},
    )
    other = payload("gw1", Record(), drift=[{**drift, "curl": "curl -X POST b"}])
    controller = payload("main", Record(), cleanup={"deleted": [user], "already_gone": [], "failed": []})
    merged = merge_payloads([worker, other, controller])
    assert [d["curl"] for d in merged["drift"]] == ["curl -X POST a"]
    assert merged["cleanup"] == {"deleted": [user], "already_gone": [], "failed": []}
    assert [w["id"] for w in merged["workers"]] == ["gw0", "gw1", "main"]


def test_the_controller_keeps_one_payload_per_worker_and_names_the_lost_ones() -> None:
    plugin = ReportPlugin(lambda config: None, pytest.StashKey(), ["fuzz"])
    record = Record()
    record.observe(exchange("getUser", 200))
    finished = SimpleNamespace(gateway=SimpleNamespace(id="gw0"), workeroutput={PAYLOAD_KEY: payload("gw0", record)})
    plugin.pytest_testnodedown(finished, None)
    plugin.pytest_testnodedown(finished, "keyboard-interrupt")  # xdist reports an interrupted worker twice
    plugin.pytest_testnodedown(SimpleNamespace(gateway=SimpleNamespace(id="gw1")), "crashed")
    assert plugin.lost_workers == ["gw1"]
    assert merge_payloads(plugin.payloads.values())["operations"]["getUser"]["requests"] == 1


def test_ledger_state_reads_every_file_and_follows_deleted_owners(tmp_path: Path) -> None:
    first = Ledger("r", tmp_path / "gw0-1.jsonl")
    first.record(Entry("user", "u1", label="a"))
    first.record(Entry("token", "t1", parent="u1", parent_kind="user"))
    first.record(Entry("user", "u2", label="b"))
    first.record(Entry("group", "g1", tenant="main"))
    first.forget("group", "g1")
    sweeper = Ledger("r", tmp_path / "main-2.jsonl")  # the controller swept u1 (and so its token)
    sweeper.record(Entry("user", "u1", label="a"))
    sweeper.forget("user", "u1")
    created, alive = ledger_state(tmp_path)
    assert created == 4
    assert [(e.kind, e.id) for e in alive] == [("user", "u2")]
    assert ledger_state(tmp_path / "missing") == (0, [])


# summary.json


def test_status_classes() -> None:
    documented, allowed = [200, 404], [400, 401, 404]
    assert status_class(200, True, documented, allowed) == "documented"
    assert status_class(200, False, documented, allowed) == "unseen"
    assert status_class(401, True, documented, allowed) == "allowed"
    assert status_class(500, True, documented, allowed) == "violation"
    assert status_class(201, True, documented, allowed) == "violation"
    assert status_class(401, False, documented, allowed) == "none"


def test_summary_counts_operations_and_flags_unexpected_statuses() -> None:
    summary = summary_of(ops(getUser={200: 4, 401: 1, 500: 2}, listUsers={200: 1}, createGroup={200: 1}))
    rows = {row["operation"]: row for row in summary["operations"]}
    assert rows["getUser"]["unexpected"] == [500]
    assert rows["getUser"]["documented"] == [200, 404]
    assert rows["createGroup"]["setup"] is True
    assert "deleteGroup" not in rows  # setup operations appear only when used
    assert rows["patchUser"]["requests"] == 0  # contract operations appear even when never called
    assert summary["totals"]["requests"] == 9
    assert summary["totals"]["operations"] == 24
    assert summary["totals"]["operations_exercised"] == 2
    assert summary["verdict"]["text"] == "1 unexpected status code"
    assert summary["verdict"]["ok"] is False


@pytest.mark.parametrize(
    ("tests", "text", "ok"),
    [
        ({}, "The contract holds", True),
        ({"failed": 2}, "2 violations", False),
        ({"failed": 1, "errors": 1}, "1 violation", False),
        ({"errors": 3}, "3 errors: the suite could not check everything", False),
        ({"passed": 0, "skipped": 4, "total": 4}, "Nothing was checked", False),
    ],
)
def test_verdict(tests: dict[str, int], text: str, ok: bool) -> None:
    verdict = summary_of(ops(listUsers={200: 1}), tests=tests)["verdict"]
    assert (verdict["text"], verdict["ok"]) == (text, ok)


def test_setup_operations_never_count_as_unexpected_statuses() -> None:
    # deleteGroup documents 200 and answers 204 on Kestra: the suite's own tool, not the contract.
    summary = summary_of(ops(deleteGroup={204: 3}, listUsers={200: 1}))
    assert summary["totals"]["unexpected_statuses"] == 0
    assert summary["verdict"]["text"] == "The contract holds"


def test_an_unstable_target_is_its_own_verdict_section_and_never_a_violation() -> None:
    operations = ops(listUsers={200: 1})
    operations["createUser"] = {**ops(createUser={201: 2})["createUser"], "unstable": {"502 from a gateway": 3}}
    merged = merge_payloads([{"worker": "gw0", "operations": operations, "drift": [], "cleanup": None}])
    counts = {"passed": 3, "failed": 0, "errors": 0, "skipped": 1, "xfailed": 0, "xpassed": 0, "total": 4}
    unstable = {"contract/test_x.py::test_y": "createUser: 502 from a gateway (not repeated)"}
    summary = build_summary({"run": {}, "target": {}}, counts, {}, [], merged, 0, [], unstable_tests=unstable)
    assert summary["verdict"]["ok"] is False
    assert summary["verdict"]["violations"] == 0
    assert summary["verdict"]["text"] == "Unstable target: 1 test could not conclude"
    assert summary["unstable"]["tests"] == [
        {"nodeid": "contract/test_x.py::test_y", "reason": unstable["contract/test_x.py::test_y"]}
    ]
    assert summary["unstable"]["requests"] == {"createUser": {"502 from a gateway": 3}}
    assert summary["unstable"]["total_requests"] == 3
    html = render(summary)
    assert 'id="unstable"' in html
    assert "502 from a gateway" in html


def test_a_check_not_run_is_named_in_the_verdict() -> None:
    merged = merge_payloads([{"worker": "gw0", "operations": ops(listUsers={200: 1}), "drift": [], "cleanup": None}])
    counts = {"passed": 3, "failed": 0, "errors": 0, "skipped": 1, "xfailed": 0, "xpassed": 0, "total": 4}
    not_run = {"contract/test_readonly.py::test_own": "the suite runs with a token"}
    summary = build_summary({"run": {}, "target": {}}, counts, {}, [], merged, 0, [], not_run=not_run)
    assert summary["verdict"]["ok"] is True
    assert summary["verdict"]["text"] == "The contract holds; 1 check not run"
    assert summary["verdict"]["notes"] == ["not run: the suite runs with a token"]


def test_cleanup_left_behind_comes_from_the_ledger() -> None:
    user = {"kind": "user", "id": "u1", "label": "kct"}
    summary = summary_of(
        cleanup={"deleted": [user], "already_gone": [], "failed": [{**user, "id": "u2", "reason": "409"}]},
        alive=[Entry("user", "u2", label="kct-2")],
        created=5,
    )
    cleanup = summary["cleanup"]
    assert (cleanup["created"], cleanup["deleted"], cleanup["ok"]) == (5, 1, False)
    assert cleanup["left_behind"] == [{"kind": "user", "id": "u2", "label": "kct-2"}]
    assert "cleanup left objects behind" in summary["verdict"]["notes"]


# Outcomes and failures from pytest reports


def report(nodeid: str, when: str, outcome: str, longrepr: Any = None, **extra: Any) -> pytest.TestReport:
    keywords = {name: 1 for name in extra.pop("marks", ())}
    return pytest.TestReport(nodeid, ("f.py", 1, nodeid), keywords, outcome, longrepr, when, **extra)  # type: ignore[arg-type]


def test_outcomes_take_the_worst_phase_and_count_per_marker() -> None:
    outcomes = Outcomes(["fuzz", "stateful"])
    outcomes.add(report("a", "setup", "passed", marks=["fuzz"]))
    outcomes.add(report("a", "call", "passed", marks=["fuzz"]))
    outcomes.add(report("b", "call", "failed", "E boom", marks=["fuzz", "stateful"]))
    outcomes.add(report("b", "teardown", "failed", "E boom", marks=["fuzz", "stateful"]))
    outcomes.add(report("c", "setup", "failed", "E fixture", marks=["stateful"]))
    outcomes.add(report("d", "setup", "skipped", ("f.py", 1, "skip"), marks=[]))
    totals = outcomes.totals()
    assert {k: totals[k] for k in ("passed", "failed", "errors", "skipped", "total")} == {
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
        "total": 4,
    }
    by_marker = outcomes.by_marker()
    assert (by_marker["fuzz"]["passed"], by_marker["fuzz"]["failed"]) == (1, 1)
    assert (by_marker["stateful"]["failed"], by_marker["stateful"]["errors"]) == (1, 1)
    assert by_marker["unmarked"]["skipped"] == 1


def test_failure_record_finds_the_violation_the_curl_and_the_replay_and_masks_secrets() -> None:
    text = textwrap.dedent(
        """\
        def test_x(run):
        E   contract.harness.records._exchange.ContractViolation: operation: getUser
        E   request:   curl -X GET -H 'authorization: Basic ***' http://127.0.0.1:1/api/v1/users/kct-missing-1
        E   got:       500 (application/json) {"message": "boom s3cr3t-pass"}
        E   expected:  status 404 (an unknown id)
        """
    )
    failed = report(
        "contract/test_x.py::test_x", "call", "failed", text, sections=[("replay", "pytest 'x' --hypothesis-seed=5")]
    )
    record = failure_record(failed, ["fuzz"], sorted(SecretBook.of(Credentials("admin", "s3cr3t-pass")).secrets))
    assert record["operation"] == "getUser"
    assert record["expected"] == "status 404 (an unknown id)"
    assert record["message"] == "expected status 404 (an unknown id), got 500"
    assert record["curl"].startswith("curl -X GET -H 'authorization: Basic ***' http://127.0.0.1:1/")
    assert record["replay"] == "pytest 'x' --hypothesis-seed=5"
    assert "s3cr3t-pass" not in json.dumps(record)
    assert '"message": "boom ***"' in record["got"]


# index.html


def grid_cell(page: str, operation: str, code: int) -> str:
    """The class and text of one grid cell, found through its row and the column's position."""
    header = re.search(r'<table class="grid">.*?</tr>', page, re.S)
    assert header is not None
    codes = re.findall(r'<th class="code">(\d+)</th>', header.group(0))
    row = re.search(rf'<span class="op">{operation}</span>.*?</tr>', page, re.S)
    assert row is not None, operation
    cells = re.findall(r'<td class="cell (c-\w+)"[^>]*>([^<]*)</td>', row.group(0))
    return " ".join(cells[codes.index(str(code))])


def test_html_shows_a_green_verdict_when_the_contract_holds() -> None:
    page = render(summary_of(ops(listUsers={200: 3})))
    assert '<div class="verdict ok">' in page
    assert "<h1>The contract holds</h1>" in page
    assert "Failures" not in page


def test_html_grid_colours_seen_allowed_unexpected_and_unseen_statuses() -> None:
    summary = summary_of(ops(getUser={200: 1234, 401: 2, 500: 1}), tests={"failed": 1})
    page = render(summary)
    assert '<div class="verdict bad">' in page
    assert "<h1>1 violation</h1>" in page
    assert grid_cell(page, "getUser", 200) == "c-documented 1,234"
    assert grid_cell(page, "getUser", 401) == "c-allowed 2"
    assert grid_cell(page, "getUser", 500) == "c-violation 1"
    assert grid_cell(page, "getUser", 404) == "c-unseen –"
    assert grid_cell(page, "patchUser", 200) == "c-unseen –"
    assert grid_cell(page, "patchUser", 404) == "c-none "


def test_html_escapes_everything_from_the_run_and_needs_no_network() -> None:
    hostile = "<script>alert('x')</script>"
    failure = {
        "nodeid": f"contract/test_a.py::test[{hostile}]",
        "phase": "call",
        "markers": ["fuzz"],
        "message": hostile,
        "operation": "getUser",
        "expected": "status 200",
        "got": f"500 {hostile}",
        "detail": "",
        "curl": f"curl -X GET -d '{hostile}' http://127.0.0.1:1/x",
        "replay": "pytest 'contract/test_a.py::test' --hypothesis-seed=1",
        "details": hostile,
        "duration": 0.1,
    }
    drift = [{"operation": "createUser", "detail": f"accepted {hostile}", "curl": "curl -X POST x"}]
    matrix = [{"sdk": hostile, "result": "passed"}]
    page = render(summary_of(ops(getUser={500: 1}), tests={"failed": 1}, failures=[failure], drift=drift), matrix)
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 7
    assert "--hypothesis-seed=1" in page
    assert "curl -X GET -d &#x27;&lt;script&gt;" in page
    assert not re.search(r"<link|<img|<iframe|\bsrc=|@import|url\(", page)


def test_html_shows_cleanup_drift_and_the_sdk_matrix() -> None:
    summary = summary_of(
        drift=[{"operation": "createUser", "detail": "accepted a body without password", "curl": "curl -X POST a"}],
        cleanup={
            "deleted": [],
            "already_gone": [],
            "failed": [{"kind": "user", "id": "u9", "label": "l", "reason": "500"}],
        },
        alive=[Entry("user", "u9", label="l")],
        created=3,
    )
    matrix = {
        "description": "kestrapy releases",
        "rows": [{"sdk": "1.0.0b7", "result": "passed"}, {"sdk": "1.1", "result": "failed"}],
    }
    page = render(summary, matrix)
    assert "accepted a body without password" in page
    assert "objects left behind" in page
    assert "u9" in page
    assert '<section id="sdk-matrix">' in page
    assert '<span class="pill ok">passed</span>' in page
    assert '<span class="pill bad">failed</span>' in page
    assert '<section id="sdk-matrix">' not in render(summary)


def test_html_renders_the_sdk_grid_that_nox_writes() -> None:
    def cell(outcome: str, method: str = "", details: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"outcome": outcome, "method": method, "details": list(details), "notes": []}

    def server(works: int, of: int, operations: dict[str, Any], ran: bool = True) -> dict[str, Any]:
        counts = {"works": works, "missing": of - works}
        return {
            "ran": ran,
            "problem": None if ran else "<no server>",
            "works": works,
            "of": of,
            "counts": counts,
            "operations": operations,
        }

    matrix = {
        "format": 2,
        "generated": "2026-01-01T00:00:00+0000",
        "contracts": {
            "1": {"name": "Kestra EE 1.x", "operations": [{"operation": "listUsers"}, {"operation": "listApiTokens"}]},
            "2": {"name": "Kestra EE 2.x", "operations": [{"operation": "listUsers"}]},
        },
        "sdks": {
            "1.0.0b7": {
                "source": {"kind": "index"},
                "version": "1.0.0b7",
                "clean_import": {"checked": True, "ok": True, "error": None},
                "servers": {
                    "1": server(2, 2, {"listUsers": cell("works", "users.list_users"), "listApiTokens": cell("works")}),
                    "2": server(0, 1, {"listUsers": cell("not run")}, ran=False),
                },
            },
            "./dist/kestrapy-2.1.0.whl": {
                "source": {"kind": "wheel"},
                "version": "2.1.0",
                "clean_import": {"checked": True, "ok": False, "error": "No module named 'regex'"},
                "added_for_import": ["regex"],
                "servers": {
                    "1": server(
                        1,
                        2,
                        {
                            "listUsers": cell("works", "users.list_users"),
                            "listApiTokens": cell("missing", details=("no API has <method>",)),
                        },
                    ),
                    "2": server(1, 1, {"listUsers": cell("works", "users.list_users")}),
                },
            },
        },
    }
    page = render(summary_of(), matrix)
    section = page[page.index('<section id="sdk-matrix">') :]
    grid = section[: section.index("<h3>")]
    assert "<th>contract 1 (Kestra EE 1.x)</th><th>contract 2 (Kestra EE 2.x)</th>" in grid
    assert "<td>kestrapy 2.1.0 (./dist/kestrapy-2.1.0.whl)</td>" in grid
    assert '<span class="pill bad" title="No module named &#x27;regex&#x27;">needs regex</span>' in grid
    assert '<span class="pill na" title="&lt;no server&gt;">not run</span>' in grid
    assert re.findall(r'class="pill (\w+)">(\d+ of \d+)<', grid) == [
        ("ok", "2 of 2"),
        ("bad", "1 of 2"),
        ("ok", "1 of 1"),
    ]
    contract_1 = section[section.index("<h3>Contract 1") : section.index("<h3>Contract 2")]
    assert "<th>kestrapy 1.0.0b7</th><th>kestrapy 2.1.0 (./dist/kestrapy-2.1.0.whl)</th>" in contract_1
    row = re.search(r'<td class="op">listApiTokens</td>(.*?)</tr>', contract_1)
    assert row is not None
    assert re.findall(r'class="pill (\w+)">([^<]+)<', row.group(1)) == [("ok", "works"), ("bad", "missing")]
    assert 'title="no API has &lt;method&gt;"' in row.group(1)


def test_markdown_for_the_job_summary_names_the_verdict_and_each_failure() -> None:
    failure = {
        "nodeid": "contract/test_a.py::test_b",
        "message": "expected status 204, got 500",
        "curl": "curl -X DELETE http://x/api/v1/users/u1",
        "replay": "pytest 'contract/test_a.py::test_b' --hypothesis-seed=9",
    }
    text = markdown(summary_of(ops(deleteUser={500: 1}), tests={"failed": 1}, failures=[failure]))
    assert text.startswith("## ❌ 1 violation\n")
    assert "1 unexpected status codes" in text
    assert "- `contract/test_a.py::test_b`: expected status 204, got 500" in text
    assert "  - reproduce: `curl -X DELETE http://x/api/v1/users/u1`" in text
    assert markdown(summary_of(ops(listUsers={200: 1}))).startswith("## ✅ The contract holds\n")


# Files


def test_latest_points_at_the_newest_run(tmp_path: Path) -> None:
    first, second = tmp_path / "runs" / "1-a", tmp_path / "runs" / "2-b"
    first.mkdir(parents=True)
    second.mkdir()
    point_latest(tmp_path, first)
    point_latest(tmp_path, second)
    latest = tmp_path / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == os.path.join("runs", "2-b")
    assert latest.resolve() == second.resolve()


def test_latest_falls_back_to_a_text_file_where_symlinks_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = tmp_path / "runs" / "1-a"
    run_dir.mkdir(parents=True)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    point_latest(tmp_path, run_dir)
    assert (tmp_path / "latest").read_text() == os.path.join("runs", "1-a") + "\n"


def test_matrix_is_read_when_present(tmp_path: Path) -> None:
    assert read_matrix(tmp_path) == (None, "")
    (tmp_path / "sdk-matrix").mkdir()
    (tmp_path / "sdk-matrix" / "matrix.json").write_text('[{"sdk": "1.0.0b7", "result": "passed"}]')
    assert read_matrix(tmp_path) == ([{"sdk": "1.0.0b7", "result": "passed"}], "")
    (tmp_path / "sdk-matrix" / "matrix.json").write_text("{")
    matrix, problem = read_matrix(tmp_path)
    assert matrix is None
    assert "unreadable" in problem


# A real run, with two xdist workers

SUITE = """
import pytest
from contract.harness import ANONYMOUS
from contract.harness import expect_status
from contract.harness import Drift


@pytest.mark.fuzz
def test_refuses_anonymous(run):
    expect_status(run.api.call("listUsers", params={"page": 1, "size": 1}, as_=ANONYMOUS), 401)


@pytest.mark.fuzz
@pytest.mark.parametrize("page", [1, 2, 3, 4, 5, 6])
def test_lists(run, page):
    exchange = run.api.call("listUsers", params={"page": page, "size": 5})
    run.record.check("listUsers", "status_code_conformance", exchange.status == 200)
    expect_status(exchange, 200)


@pytest.mark.stateful
@pytest.mark.mutating
def test_creates(run):
    user, _ = run.arrange.create_user()
    run.arrange.create_token(user.id)
    expect_status(run.api.call("getUser", {"id": user.id}), 200)


def test_drifts(run):
    run.findings.drift(Drift("createUser", "accepted <b>no password</b>", "curl -X POST http://127.0.0.1/x"))


@pytest.mark.sdk
def test_violation(run):
    expect_status(run.api.call("getUser", {"id": "kct-missing-report"}), 200, "an existing user")
"""


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    where = tmp_path_factory.mktemp("suite")
    (where / "test_suite.py").write_text(SUITE)
    reports = where / "reports"
    command = [sys.executable, "-m", "pytest", "--contract-session", "-p", "no:cacheprovider", "-n", "2"]
    command += ["--report-dir", str(reports), "test_suite.py"]
    done = subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=180, check=False)
    return done, reports


def test_a_run_merges_its_workers_into_one_report(real_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, reports = real_run
    assert done.returncode == 1, done.stdout + done.stderr
    latest = reports / "latest"
    assert latest.is_symlink()
    summary = json.loads((latest / "summary.json").read_text())
    assert f"report: {latest.resolve() / 'index.html'}" in done.stdout
    workers = {w["id"]: w["requests"] for w in summary["workers"]}
    assert set(workers) == {"gw0", "gw1", "main"}
    assert workers["gw0"] > 0
    assert workers["gw1"] > 0
    rows = {row["operation"]: row for row in summary["operations"]}
    listed = rows["listUsers"]  # six tests, plus any lookup of a created user's id
    assert listed["statuses"] == {"200": listed["requests"] - 1, "401": 1}
    assert listed["requests"] >= 7
    assert listed["checks"] == {"status_code_conformance": {"run": 6, "failed": 0}}
    assert rows["getUser"]["statuses"] == {"200": 1, "404": 1}
    assert rows["deleteUser"]["statuses"] == {"204": 1}  # cleanup's requests count too
    assert summary["tests"]["passed"] == 9
    assert summary["tests"]["failed"] == 1
    assert summary["markers"]["fuzz"]["passed"] == 7
    assert summary["markers"]["sdk"]["failed"] == 1
    assert summary["verdict"]["text"] == "1 violation"
    assert summary["cleanup"]["created"] == 2
    assert summary["cleanup"]["ok"] is True
    assert [d["detail"] for d in summary["drift"]] == ["accepted <b>no password</b>"]
    assert summary["seed"] == int(re.findall(r"--hypothesis-seed=(\d+)", done.stdout)[0])
    (failure,) = summary["failures"]
    assert failure["nodeid"] == "test_suite.py::test_violation"
    assert failure["curl"].startswith("curl -X GET -H 'authorization: Basic ***' http://127.0.0.1:")
    assert failure["replay"] == f"pytest 'test_suite.py::test_violation' --hypothesis-seed={summary['seed']}"
    junit = ET.parse(latest / "junit.xml").getroot().find("testsuite")
    assert junit is not None
    assert (junit.get("tests"), junit.get("failures")) == ("10", "1")
    page = (latest / "index.html").read_text()
    assert "<h1>1 violation</h1>" in page
    assert 'class="cell c-allowed" title="401: allowed by the policy, seen 1×">1</td>' in page
    assert "accepted &lt;b&gt;no password&lt;/b&gt;" in page


def test_the_report_renders_in_headless_chromium(
    real_run: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium package to render the report")
    _, reports = real_run
    screenshot = tmp_path / "report.png"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    command += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    command += [f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", "--window-size=1280,1600"]
    command.append((reports / "latest" / "index.html").resolve().as_uri())
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert screenshot.is_file(), done.stderr[-2000:]
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:
        shutil.copyfile(screenshot, keep)
    image = read_png(screenshot.read_bytes())
    assert (image.width, image.height) == (1280, 1600)
    pixels = list(image.pixels(step=4))
    colours = set(pixels)
    non_background = [p for p in pixels if p not in {(255, 255, 255), (244, 246, 248)}]
    assert len(colours) > 50
    assert len(non_background) > len(pixels) // 20
    # The red verdict banner is near the top: rows 40..150 hold its background (#ffebe9).
    c = image.channels
    banner = {image.rows[y][x * c : x * c + 3] for y in range(40, 150, 6) for x in range(60, 1200, 40)}
    assert bytes((0xFF, 0xEB, 0xE9)) in banner
