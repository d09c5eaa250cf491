"""The SDK matrix: from JUnit files and import records to the kestrapy x contract grid, and the gate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest

import specs
from contract.sdk import PROPERTY, Outcome
from contract.sdk.matrix import build_matrix, gate_failures, main, major, read_junit, read_row, render_markdown

V1 = [op.operation_id for op in specs.contract(1).operations()]
V2 = [op.operation_id for op in specs.contract(2).operations()]


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


def _all_working(operations: Sequence[str], except_for: dict[str, list[str]] | None = None) -> list[str]:
    cases = []
    for operation in operations:
        if except_for and operation in except_for:
            cases += except_for[operation]
        else:
            cases.append(_case("call", operation, "works", method=f"users.{operation.lower()}"))
    return cases


def _write_row(
    root: Path,
    slug: str,
    servers: dict[str, list[str] | None],
    *,
    label: str | None = None,
    kind: str = "index",
    version: str | None = None,
    clean_error: str | None = None,
    added: Sequence[str] = (),
    usable_error: str | None = None,
    tails: dict[str, list[str]] | None = None,
    contract_property: bool = True,
) -> Path:
    """A raw folder as the nox session leaves it: import.json, and a junit.xml per server that ran."""
    folder = root / "raw" / slug
    folder.mkdir(parents=True)
    record: dict[str, Any] = {
        "label": label or slug,
        "source": {"given": label or slug, "kind": kind, "requirement": label or slug},
        "clean_import": {"error": clean_error, "missing_module": None},
        "added": list(added),
        "usable_import": {"error": usable_error, "missing_module": None},
        "servers": {},
        "seconds": 12.5,
    }
    for name, cases in servers.items():
        contract = name.removeprefix("contract-") if name.startswith("contract-") else None
        record["servers"][name] = {"asked_contract": contract, "output_tail": (tails or {}).get(name, [])}
        (folder / name).mkdir()
        if cases is None:
            continue
        props = {
            "kestrapy_version": version or slug,
            "kestrapy_style": "session",
            "target": "the embedded reference server",
        }
        if contract_property:
            # The suite's own global properties: the contract it spoke, the server version it read.
            props |= {"contract_version": contract or "2", "server_version": f"{contract or '2'}.0.0"}
        (folder / name / "junit.xml").write_text(_junit(cases, props))
    (folder / "import.json").write_text(json.dumps(record))
    return folder


def _matrix(root: Path, *slugs: str) -> dict[str, Any]:
    return build_matrix([read_row(root / "raw" / slug) for slug in slugs])


def test_cells_take_the_worst_check_and_keep_its_detail(tmp_path: Path) -> None:
    cases = _all_working(
        V1,
        {
            "getUser": [
                _case("call", "getUser", "works", method="users.user"),
                _case("unknown_id", "getUser", "error", method="users.user", detail="ApiException with status 500"),
            ],
            "createUser": [
                _case("call", "createUser", "does not parse", method="users.create_user", detail="empty body"),
            ],
            "listApiTokens": [
                _case("call", "listApiTokens", "missing", detail="no API of KestraClient has a method for GET /x"),
                _case(
                    "unknown_id", "listApiTokens", "missing", detail="no API of KestraClient has a method for GET /x"
                ),
            ],
            "listUsers": [_case("call", "listUsers", "works", method="users.list_users", notes=["cannot send q"])],
            "impersonate": [_case("call", "impersonate", None, fail="ContractViolation: arranging failed\nmore")],
        },
    )
    _write_row(tmp_path, "9.9.9", {"contract-1": cases})
    server = _matrix(tmp_path, "9.9.9")["sdks"]["9.9.9"]["servers"]["1"]
    ops = server["operations"]

    assert ops["getUser"]["outcome"] == "error"
    assert ops["getUser"]["details"] == ["unknown id: ApiException with status 500"]
    assert ops["getUser"]["method"] == "users.user"
    assert ops["createUser"]["outcome"] == "does not parse"
    assert ops["listApiTokens"] == {
        "outcome": "missing",
        "method": "",
        "details": ["no API of KestraClient has a method for GET /x"],
        "notes": [],
    }
    assert ops["listUsers"]["outcome"] == "works"
    assert ops["listUsers"]["notes"] == ["cannot send q"]
    assert ops["impersonate"]["outcome"] == "error"
    assert ops["impersonate"]["details"] == ["ContractViolation: arranging failed"]
    assert (server["works"], server["of"]) == (len(V1) - 4, len(V1))
    assert server["counts"]["missing"] == 1
    assert server["ran"] is True


def test_the_grid_crosses_each_kestrapy_with_each_server_contract(tmp_path: Path) -> None:
    broken_v2 = {op: [_case("call", op, "missing", detail="nowhere")] for op in V2 if op not in V1}
    _write_row(tmp_path, "1.0.0b7", {"contract-1": _all_working(V1), "contract-2": _all_working(V2, broken_v2)})
    _write_row(
        tmp_path,
        "2.0.3",
        {"contract-1": _all_working(V1, {"createUser": [_case("call", "createUser", "error")]}), "contract-2": None},
        tails={"contract-2": ["nox > pytest ...", "ERROR: contract suite cannot run: reference server did not start"]},
    )
    matrix = _matrix(tmp_path, "1.0.0b7", "2.0.3")

    assert list(matrix["contracts"]) == ["1", "2"]
    assert [op["operation"] for op in matrix["contracts"]["2"]["operations"]] == V2
    grid = {
        (label, contract): (server["works"], server["of"], server["ran"])
        for label, row in matrix["sdks"].items()
        for contract, server in row["servers"].items()
    }
    assert grid == {
        ("1.0.0b7", "1"): (24, 24, True),
        ("1.0.0b7", "2"): (24, 27, True),
        ("2.0.3", "1"): (23, 24, True),
        ("2.0.3", "2"): (0, 27, False),
    }
    not_run = matrix["sdks"]["2.0.3"]["servers"]["2"]
    assert not_run["problem"] == "ERROR: contract suite cannot run: reference server did not start"
    assert {cell["outcome"] for cell in not_run["operations"].values()} == {"not run"}

    text = render_markdown(matrix)
    assert "| kestrapy | from | imports in a clean environment | contract 1 (Kestra EE 1.x) | contract 2" in text
    assert "| kestrapy 1.0.0b7 | index | yes | **24 of 24** | 24 of 27 |" in text
    assert "| kestrapy 2.0.3 | index | yes | 23 of 24 | not run (1) |" in text
    assert "1. contract 2 in 2.0.3: ERROR: contract suite cannot run: reference server did not start" in text
    assert "## Contract 2 (Kestra EE 2.x): each operation" in text
    # An operation contract 2 documents under another name is shown under both.
    assert "| listApiTokens (listApiTokensForServiceAccount) | `GET /api/v1/service-accounts/{id}/api-tokens` |" in text


def test_a_contract_this_checkout_does_not_describe_takes_its_operations_from_its_runs(tmp_path: Path) -> None:
    _write_row(tmp_path, "3.0.0", {"contract-9": [_case("call", "a", "works"), _case("call", "b", "missing")]})
    matrix = _matrix(tmp_path, "3.0.0")
    assert list(matrix["contracts"]) == ["9"]
    assert [op["operation"] for op in matrix["contracts"]["9"]["operations"]] == ["a", "b"]
    assert matrix["sdks"]["3.0.0"]["servers"]["9"]["works"] == 1


def test_the_contract_a_run_used_is_the_one_the_suite_names(tmp_path: Path) -> None:
    # A --base-url run: nox asked for no contract, the suite found the server speaks 2.
    _write_row(tmp_path, "2.0.3", {"server": _all_working(V2)})
    matrix = _matrix(tmp_path, "2.0.3")
    assert list(matrix["contracts"]) == ["2"]
    server = matrix["sdks"]["2.0.3"]["servers"]["2"]
    assert (server["works"], server["of"], server["server_version"]) == (27, 27, "2.0.0")


def test_a_remote_run_that_never_started_is_shown_not_guessed(tmp_path: Path) -> None:
    _write_row(
        tmp_path,
        "2.0.3",
        {"server": None},
        tails={"server": ["ERROR: contract suite cannot run: https://staging.example is unreachable"]},
    )
    matrix = _matrix(tmp_path, "2.0.3")
    assert list(matrix["contracts"]) == ["?"]
    assert matrix["sdks"]["2.0.3"]["servers"]["?"]["problem"].endswith("is unreachable")


def test_an_sdk_that_cannot_be_imported_is_a_finding_and_its_cells_say_why(tmp_path: Path) -> None:
    _write_row(
        tmp_path,
        "2.0.0",
        {},
        clean_error="ModuleNotFoundError: No module named 'regex'",
        added=["regex", "other"],
        usable_error="ImportError: still broken",
    )
    matrix = _matrix(tmp_path, "2.0.0")
    data = matrix["sdks"]["2.0.0"]
    assert data["clean_import"]["ok"] is False
    for server in data["servers"].values():
        assert server["ran"] is False
        assert {cell["outcome"] for cell in server["operations"].values()} <= {"error"}
    assert data["servers"]["1"]["operations"]["getUser"]["details"] == [
        "kestrapy cannot be imported: ImportError: still broken"
    ]

    text = render_markdown(matrix)
    assert "| kestrapy 2.0.0 | index | **no** (1) | **cannot import** (2) |" in text
    assert "1. import in 2.0.0: `import kestrapy` fails in a clean environment: ModuleNotFoundError" in text
    assert "tested with regex, other installed by hand" in text


def test_a_row_without_results_is_not_run(tmp_path: Path) -> None:
    matrix = build_matrix([read_row(tmp_path / "raw" / "3.0.0")])
    data = matrix["sdks"]["3.0.0"]
    assert data["clean_import"] == {"checked": False, "ok": False, "error": None}
    assert data["servers"]["1"]["problem"] == "no results: its nox session has not run"
    assert {cell["outcome"] for cell in data["servers"]["1"]["operations"].values()} == {str(Outcome.NOT_RUN)}
    assert "| kestrapy 3.0.0 | index | not checked | not run (1) |" in render_markdown(matrix)


def test_a_given_kestrapy_is_named_by_its_source_and_version(tmp_path: Path) -> None:
    wheel = "./dist/kestrapy-2.1.0-py3-none-any.whl"
    _write_row(tmp_path, "wheel-x-1234", {"contract-1": _all_working(V1)}, label=wheel, kind="wheel", version="2.1.0")
    matrix = _matrix(tmp_path, "wheel-x-1234")
    assert list(matrix["sdks"]) == [wheel]
    assert matrix["sdks"][wheel]["version"] == "2.1.0"
    assert matrix["sdks"][wheel]["source"]["kind"] == "wheel"
    assert f"| kestrapy 2.1.0 ({wheel}) | wheel | yes | **24 of 24** |" in render_markdown(matrix)


def test_main_writes_both_files_with_a_row_per_operation_and_shared_notes(tmp_path: Path) -> None:
    shared = _case("call", "listApiTokens", "missing", detail="no API of KestraClient has a method for GET /x")
    _write_row(tmp_path, "1.0.0", {"contract-1": _all_working(V1, {"listApiTokens": [shared]})})
    _write_row(tmp_path, "1.1.0", {"contract-1": _all_working(V1, {"listApiTokens": [shared]})})
    assert main(["--root", str(tmp_path), "--rows", "1.0.0", "1.1.0"]) == 0

    text = (tmp_path / "matrix.md").read_text()
    table = text[text.index("## Contract 1") :]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line.split("|")[2]]
    assert [row.split("|")[1].strip() for row in rows] == V1
    assert "| kestrapy 1.0.0 | kestrapy 1.1.0 |" in table
    listing = next(row for row in rows if row.startswith("| listApiTokens |"))
    assert listing.count("**missing** (1)") == 2
    assert "1. listApiTokens in 1.0.0 (contract 1), 1.1.0 (contract 1): no API of KestraClient" in text
    saved = json.loads((tmp_path / "matrix.json").read_text())
    assert list(saved["sdks"]) == ["1.0.0", "1.1.0"]
    assert saved["format"] == 2


def test_junit_records_keep_suite_properties_and_skip_other_tests(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    other = '<testcase classname="contract.test_fuzz" name="test_fuzz[getUser]"/>'
    skipped = '<testcase classname="c" name="test_sdk_call[patchUser]"><skipped message="--read-only"/></testcase>'
    path.write_text(_junit([other, skipped, _case("call", "getUser", "works")], {"kestrapy_style": "session"}))
    props, records = read_junit(path)
    assert props == {"kestrapy_style": "session"}
    assert [(r.operation, r.outcome) for r in records] == [("patchUser", Outcome.NOT_RUN), ("getUser", Outcome.WORKS)]


# ---- the gate ------------------------------------------------------------------------------


def _gate_matrix(tmp_path: Path) -> dict[str, Any]:
    one_broken = _all_working(
        V2, {"deleteApiTokenForCurrentUser": [_case("call", "deleteApiTokenForCurrentUser", "error")]}
    )
    _write_row(tmp_path, "1.0.0b7", {"contract-1": _all_working(V1), "contract-2": _all_working(V2, {})})
    _write_row(tmp_path, "2.0.3", {"contract-1": _all_working(V1), "contract-2": one_broken})
    _write_row(tmp_path, "2.1.0rc1", {"contract-1": _all_working(V1), "contract-2": None})
    _write_row(tmp_path, "9.0.0", {"contract-1": _all_working(V1)})
    return _matrix(tmp_path, "1.0.0b7", "2.0.3", "2.1.0rc1", "9.0.0")


def test_major_versions_name_the_contract_an_sdk_is_made_for() -> None:
    assert [major(v) for v in ["1.0.0b7", "1.0.0-beta7", "v1.0.5", "2.1.0.dev502", None, "main"]] == [
        "1",
        "1",
        "1",
        "2",
        None,
        None,
    ]


def test_the_gate_asks_each_sdk_to_work_with_servers_of_its_own_major(tmp_path: Path) -> None:
    matrix = _gate_matrix(tmp_path)
    # 1.0.0b7 works with every contract-1 operation; its contract-2 cells are information, not the gate.
    assert gate_failures(matrix, ["1.0.0b7"]) == []
    failures = gate_failures(matrix, ["2.0.3"])
    assert len(failures) == 1
    assert failures[0].startswith("kestrapy 2.0.3 against contract 2: 26 of 27 work; 1 error: ")
    # Saw no server of its own contract: a gate that proves nothing fails.
    assert gate_failures(matrix, ["2.1.0rc1"]) == [
        "kestrapy 2.1.0rc1 (2.1.0rc1): met no server of contract 2: nothing to gate on"
    ]
    assert gate_failures(matrix, ["9.0.0"])[0].startswith("kestrapy 9.0.0 (9.0.0): met no server of contract 9")
    assert gate_failures(matrix, ["0.1"]) == ["kestrapy 0.1: not in the matrix (was it run with --sdk 0.1?)"]


def test_the_gate_can_be_asked_for_other_contracts(tmp_path: Path) -> None:
    matrix = _gate_matrix(tmp_path)
    assert gate_failures(matrix, ["2.0.3", "2.1.0rc1"], contracts=["1"]) == []
    assert len(gate_failures(matrix, ["2.0.3"], contracts=["1", "2"])) == 1


@pytest.mark.parametrize(("gated", "status"), [(["1.0.0b7"], 0), (["1.0.0b7", "2.0.3"], 1)])
def test_main_gates_with_its_exit_status(
    tmp_path: Path, gated: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _gate_matrix(tmp_path)
    rows = ["--rows", "1.0.0b7", "2.0.3", "2.1.0rc1", "9.0.0"]
    assert main(["--root", str(tmp_path), *rows]) == 0
    capsys.readouterr()
    assert main(["--root", str(tmp_path), "--gate", *gated]) == status
    said = capsys.readouterr().out
    assert ("every gated kestrapy works" in said) is (status == 0)


def test_main_refuses_to_gate_without_a_matrix(tmp_path: Path) -> None:
    assert main(["--root", str(tmp_path), "--gate", "1.0.0b7"]) == 1
