"""The SDK matrix: from JUnit files and import records to one table, without running any SDK."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import specs
from contract.sdk import PROPERTY, Outcome
from contract.sdk.matrix import build_matrix, main, read_junit, read_version, render_markdown

OPERATIONS = specs.operations()


def _case(
    check: str,
    operation: str,
    outcome: str | None,
    *,
    method: str = "",
    detail: str = "",
    notes: Sequence[str] = (),
    fail: str | None = None,
) -> str:
    props = []
    if outcome is not None:
        props += [
            (PROPERTY["operation"], operation),
            (PROPERTY["check"], check),
            (PROPERTY["outcome"], outcome),
            (PROPERTY["method"], method),
        ]
        if detail:
            props.append((PROPERTY["detail"], detail))
        props += [(PROPERTY["note"], n) for n in notes]
    xml_props = "".join(f"<property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in props)
    body = f"<properties>{xml_props}</properties>" if props else ""
    if fail is not None:
        body += f"<failure message={quoteattr(fail)}>trace</failure>"
    return f'<testcase classname="contract.test_sdk" name="test_sdk_{check}[{operation}]">{body}</testcase>'


def _junit(cases: list[str], suite_props: dict[str, str]) -> str:
    props = "".join(f"<property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in suite_props.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        f"<properties>{props}</properties>{''.join(cases)}</testsuite></testsuites>"
    )


def _write_version(
    root: Path,
    version: str,
    cases: list[str],
    *,
    clean_error: str | None = None,
    added: Sequence[str] = (),
    usable_error: str | None = None,
) -> Path:
    folder = root / "raw" / version
    folder.mkdir(parents=True)
    record = {
        "version": version,
        "clean_import": {"error": clean_error, "missing_module": None},
        "added": list(added),
        "usable_import": {"error": usable_error, "missing_module": None},
        "seconds": 12.5,
    }
    (folder / "import.json").write_text(json.dumps(record))
    if usable_error is None:
        props = {"kestrapy_version": version, "kestrapy_style": "generated", "target": "the embedded reference server"}
        (folder / "junit.xml").write_text(_junit(cases, props))
    return folder


def _all_working(except_for: dict[str, list[str]]) -> list[str]:
    cases = []
    for op in OPERATIONS:
        if op.operation_id in except_for:
            cases += except_for[op.operation_id]
        else:
            cases.append(_case("call", op.operation_id, "works", method=op.operation_id.lower()))
    return cases


def test_cells_take_the_worst_check_and_keep_its_detail(tmp_path: Path) -> None:
    cases = _all_working(
        {
            "getUser": [
                _case("call", "getUser", "works", method="user"),
                _case("unknown_id", "getUser", "error", method="user", detail="ApiException with status 500"),
            ],
            "createUser": [
                _case("call", "createUser", "does not parse", method="create_user", detail="empty body"),
            ],
            "listApiTokens": [
                _case("call", "listApiTokens", "missing", detail="UsersApi has no method for GET /x"),
                _case("unknown_id", "listApiTokens", "missing", detail="UsersApi has no method for GET /x"),
            ],
            "listUsers": [_case("call", "listUsers", "works", method="list_users", notes=["cannot send q"])],
            "impersonate": [_case("call", "impersonate", None, fail="ContractViolation: arranging failed\nmore")],
        }
    )
    folder = _write_version(tmp_path, "9.9.9", cases)
    version = read_version(folder, "9.9.9")
    matrix = build_matrix([version], OPERATIONS)
    ops = matrix["versions"]["9.9.9"]["operations"]

    assert ops["getUser"]["outcome"] == "error"
    assert ops["getUser"]["details"] == ["unknown id: ApiException with status 500"]
    assert ops["getUser"]["method"] == "user"
    assert ops["createUser"]["outcome"] == "does not parse"
    assert ops["listApiTokens"] == {
        "outcome": "missing",
        "method": "",
        "details": ["UsersApi has no method for GET /x"],
        "notes": [],
    }
    assert ops["listUsers"]["outcome"] == "works"
    assert ops["listUsers"]["notes"] == ["cannot send q"]
    assert ops["impersonate"]["outcome"] == "error"
    assert ops["impersonate"]["details"] == ["ContractViolation: arranging failed"]
    counts = matrix["versions"]["9.9.9"]["counts"]
    assert counts["works"] == len(OPERATIONS) - 4
    assert counts["missing"] == 1
    assert matrix["versions"]["9.9.9"]["clean_import"] == {"checked": True, "ok": True, "error": None}


def test_an_sdk_that_cannot_be_imported_is_a_finding_and_its_cells_say_why(tmp_path: Path) -> None:
    _write_version(
        tmp_path,
        "2.0.0",
        [],
        clean_error="ModuleNotFoundError: No module named 'regex'",
        added=["regex", "other"],
        usable_error="ImportError: still broken",
    )
    matrix = build_matrix([read_version(tmp_path / "raw" / "2.0.0", "2.0.0")], OPERATIONS)
    data = matrix["versions"]["2.0.0"]
    assert data["clean_import"]["ok"] is False
    assert data["ran"] is False
    assert {cell["outcome"] for cell in data["operations"].values()} == {"error"}
    assert data["operations"]["getUser"]["details"] == ["kestrapy cannot be imported: ImportError: still broken"]

    text = render_markdown(matrix)
    assert "| imports in a clean environment | | **no** (1) |" in text
    assert "1. import in 2.0.0: `import kestrapy` fails in a clean environment: ModuleNotFoundError" in text
    assert "tested with regex, other installed by hand" in text


def test_a_version_without_results_is_not_run(tmp_path: Path) -> None:
    matrix = build_matrix([read_version(tmp_path / "raw" / "3.0.0", "3.0.0")], OPERATIONS)
    data = matrix["versions"]["3.0.0"]
    assert data["clean_import"] == {"checked": False, "ok": False, "error": None}
    assert {cell["outcome"] for cell in data["operations"].values()} == {str(Outcome.NOT_RUN)}
    assert "| imports in a clean environment | | not checked |" in render_markdown(matrix)


def test_the_table_has_a_row_per_operation_and_shared_notes(tmp_path: Path) -> None:
    shared = _case("call", "listApiTokens", "missing", detail="UsersApi has no method for GET /x")
    _write_version(tmp_path, "1.0.0", _all_working({"listApiTokens": [shared]}))
    _write_version(tmp_path, "1.1.0", _all_working({"listApiTokens": [shared]}))
    assert main(["--root", str(tmp_path), "--versions", "1.0.0", "1.1.0"]) == 0

    text = (tmp_path / "matrix.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line.split("|")[2]]
    assert [row.split("|")[1].strip() for row in rows] == [op.operation_id for op in OPERATIONS]
    assert "| kestrapy 1.0.0 | kestrapy 1.1.0 |" in text
    listing = next(row for row in rows if row.startswith("| listApiTokens |"))
    assert listing.count("**missing** (1)") == 2
    assert "1. listApiTokens in 1.0.0, 1.1.0: UsersApi has no method for GET /x" in text
    assert f"| works | | {len(OPERATIONS) - 1} of {len(OPERATIONS)} |" in text
    saved = json.loads((tmp_path / "matrix.json").read_text())
    assert list(saved["versions"]) == ["1.0.0", "1.1.0"]


def test_junit_records_keep_suite_properties_and_skip_other_tests(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    other = '<testcase classname="contract.test_fuzz" name="test_fuzz[getUser]"/>'
    skipped = '<testcase classname="c" name="test_sdk_call[patchUser]"><skipped message="--read-only"/></testcase>'
    path.write_text(_junit([other, skipped, _case("call", "getUser", "works")], {"kestrapy_style": "session"}))
    props, records = read_junit(path)
    assert props == {"kestrapy_style": "session"}
    assert [(r.operation, r.outcome) for r in records] == [("patchUser", Outcome.NOT_RUN), ("getUser", Outcome.WORKS)]
