"""Turn the per-SDK results of `nox -s sdk_matrix` into one grid: kestrapy x server contract version.

Each kestrapy's folder (reports/sdk-matrix/raw/<row>/) holds `import.json`, written by the
nox session (what was installed and from where, whether it imported in a clean
environment, what had to be added, and how each server run ended), and one folder per
server it met (`contract-1/`, `contract-2/`, or `server/` for a --base-url run) with the
`junit.xml` of `pytest contract -m sdk`, whose test cases carry their outcome as
properties (see test_sdk.py). This module reads them and writes matrix.json and
matrix.md beside the raw folder; `--gate` then says whether the named kestrapy may be
released.

    python -m contract.sdk.matrix --root reports/sdk-matrix --rows 1.0.0b7 2.0.3
    python -m contract.sdk.matrix --root reports/sdk-matrix --gate ./dist/kestrapy-2.1.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import specs
from contract.sdk._outcome import PROPERTY, Outcome, worst

__all__ = [
    "Cell",
    "CheckRecord",
    "SdkRow",
    "ServerResult",
    "build_matrix",
    "gate_failures",
    "read_junit",
    "read_row",
    "render_markdown",
]

_CASE_NAME = re.compile(r"^test_sdk_(?P<check>call|unknown_id)\[(?P<operation>[^\]]+)\]$")
#: What each server contract version is, for people.
CONTRACT_NAMES = {"1": "Kestra EE 1.x", "2": "Kestra EE 2.x"}
#: Matrix files this module writes; older ones (one server, `versions`) are not read.
FORMAT = 2


@dataclass(frozen=True)
class CheckRecord:
    """One test case of test_sdk.py, as its JUnit entry tells it."""

    operation: str
    check: str
    outcome: Outcome
    method: str = ""
    detail: str = ""
    notes: tuple[str, ...] = ()


@dataclass
class Cell:
    outcome: Outcome
    method: str = ""
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ServerResult:
    """One `pytest contract -m sdk` run of one kestrapy against one server."""

    folder: str
    #: The contract version the run used (the suite says so), else the one asked of the embedded server.
    contract: str | None
    server_version: str | None = None
    target: str | None = None
    ran: bool = False
    #: Why it did not run, in the suite's own words.
    problem: str | None = None
    checks: list[CheckRecord] = field(default_factory=list)


@dataclass
class SdkRow:
    """One kestrapy: where it came from, whether it imports, and each server it met."""

    label: str
    source: dict[str, str] = field(default_factory=dict)
    version: str | None = None
    import_checked: bool = False
    clean_import_error: str | None = None
    added_for_import: list[str] = field(default_factory=list)
    import_error: str | None = None
    style: str | None = None
    seconds: float | None = None
    servers: list[ServerResult] = field(default_factory=list)


def _properties(element: ET.Element | None) -> list[tuple[str, str]]:
    if element is None:
        return []
    return [(p.get("name", ""), p.get("value", "")) for p in element.iter("property")]


def _record(case: ET.Element) -> CheckRecord | None:
    matched = _CASE_NAME.match(case.get("name", ""))
    if matched is None:
        return None
    props = _properties(case.find("properties"))
    values = dict(props)
    problem = case.find("failure")
    if problem is None:
        problem = case.find("error")
    if PROPERTY["outcome"] in values:
        outcome = Outcome(values[PROPERTY["outcome"]])
    elif case.find("skipped") is not None:
        outcome = Outcome.NOT_RUN
    else:
        # Failed before it could record anything: arranging, the target, or the SDK import.
        outcome = Outcome.ERROR if problem is not None else Outcome.WORKS
    detail = values.get(PROPERTY["detail"], "")
    if not detail and problem is not None and outcome is Outcome.ERROR:
        text = (problem.get("message") or problem.text or "").strip()
        detail = text.splitlines()[0] if text else ""
    return CheckRecord(
        operation=values.get(PROPERTY["operation"], matched["operation"]),
        check=values.get(PROPERTY["check"], matched["check"]),
        outcome=outcome,
        method=values.get(PROPERTY["method"], ""),
        detail=detail,
        notes=tuple(value for name, value in props if name == PROPERTY["note"]),
    )


def read_junit(path: Path) -> tuple[dict[str, str], list[CheckRecord]]:
    """The suite-level properties and the SDK check records of one JUnit file."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    suite_props: dict[str, str] = {}
    records: list[CheckRecord] = []
    for suite in suites:
        suite_props.update(_properties(suite.find("properties")))
        records += [r for case in suite.iter("testcase") if (r := _record(case)) is not None]
    return suite_props, records


def _why_not(tail: Sequence[str]) -> str:
    """The suite's one line saying why it could not run (exit 4), else the last line it printed."""
    lines = [line.strip() for line in tail if line.strip() and not line.startswith("nox >")]
    for line in reversed(lines):
        if re.match(r"^(ERROR|error|usage|[\w.]+Error)\b", line) or "cannot run" in line:
            return line
    return lines[-1] if lines else "the SDK tests did not run"


def _server(row: SdkRow, folder: Path, facts: dict[str, Any]) -> ServerResult:
    result = ServerResult(folder.name, facts.get("asked_contract"))
    junit = folder / "junit.xml"
    props: dict[str, str] = {}
    if junit.is_file():
        props, result.checks = read_junit(junit)
    result.ran = bool(result.checks)
    # A --base-url run that never started cannot say which contract its server speaks.
    result.contract = props.get("contract_version") or result.contract or "?"
    result.server_version = props.get("server_version")
    result.target = props.get("target")
    row.version = row.version or props.get("kestrapy_version")
    row.style = row.style or props.get("kestrapy_style")
    row.import_error = row.import_error or props.get("kestrapy_import_error")
    if not result.ran:
        result.problem = _why_not(facts.get("output_tail", []))
    return result


def read_row(folder: Path, label: str | None = None) -> SdkRow:
    """What one kestrapy's nox session left in its folder (nothing there: not run)."""
    row = SdkRow(label or folder.name)
    imported = folder / "import.json"
    if not imported.is_file():
        return row
    data = json.loads(imported.read_text())
    row.label = label or str(data.get("label") or folder.name)
    row.source = dict(data.get("source") or {})
    row.import_checked = True
    row.clean_import_error = data.get("clean_import", {}).get("error")
    row.added_for_import = list(data.get("added", []))
    row.import_error = data.get("usable_import", {}).get("error")
    row.seconds = data.get("seconds")
    for name, facts in (data.get("servers") or {}).items():
        row.servers.append(_server(row, folder / name, facts))
    return row


def documented_operations(contract: str) -> list[specs.Operation] | None:
    """The operations a contract version documents, if this checkout describes that version."""
    if not contract.isdigit() or int(contract) not in specs.VERSIONS:
        return None
    return specs.contract(int(contract)).operations()


def _cell(row: SdkRow, server: ServerResult | None, operation_id: str) -> Cell:
    if row.import_error:
        return Cell(Outcome.ERROR, details=[f"kestrapy cannot be imported: {row.import_error}"])
    if server is None:
        return Cell(Outcome.NOT_RUN)
    if not server.ran:
        return Cell(Outcome.NOT_RUN, details=[server.problem] if server.problem else [])
    checks = [c for c in server.checks if c.operation == operation_id]
    if not checks:
        return Cell(Outcome.NOT_RUN)
    cell = Cell(worst([c.outcome for c in checks]), method=next((c.method for c in checks if c.method), ""))
    for check in checks:
        if check.detail and check.outcome is not Outcome.WORKS:
            text = check.detail
            if check.check == "unknown_id" and check.outcome is not Outcome.MISSING:
                text = "unknown id: " + text.removeprefix("unknown id: ")
            if text not in cell.details:
                cell.details.append(text)
        for note in check.notes:
            if note not in cell.notes:
                cell.notes.append(note)
    return cell


def _never_met(row: SdkRow) -> str:
    if not row.import_checked:
        return "no results: its nox session has not run"
    if row.import_error:
        return f"kestrapy cannot be imported: {row.import_error}"
    return "not run against this contract"


def _operations_of(
    contract: str, rows: Sequence[SdkRow], documented: Callable[[str], list[specs.Operation] | None]
) -> list[dict[str, str]]:
    known = documented(contract)
    if known is not None:
        return [
            {"operation": op.operation_id, "documented": op.documented_id, "method": op.method, "path": op.path}
            for op in known
        ]
    # A version this checkout does not describe: the operations its runs checked, in their order.
    seen = [c.operation for row in rows for s in row.servers if s.contract == contract for c in s.checks]
    return [{"operation": name, "documented": name, "method": "", "path": ""} for name in dict.fromkeys(seen)]


def build_matrix(
    rows: Sequence[SdkRow],
    contracts: Iterable[str] = ("1", "2"),
    documented: Callable[[str], list[specs.Operation] | None] = documented_operations,
) -> dict[str, Any]:
    """The matrix as plain data: per kestrapy, its import facts and, per server contract, one cell per operation."""
    wanted = list(contracts)
    met = {s.contract for row in rows for s in row.servers if s.contract}
    ordered = [c for c in wanted if c in met or not met] + sorted(met - set(wanted))
    table: dict[str, Any] = {
        "format": FORMAT,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "contracts": {
            c: {"name": CONTRACT_NAMES.get(c, f"contract {c}"), "operations": _operations_of(c, rows, documented)}
            for c in ordered
        },
        "sdks": {},
    }
    for row in rows:
        servers: dict[str, Any] = {}
        for contract, described in table["contracts"].items():
            server = next((s for s in row.servers if s.contract == contract), None)
            cells = {op["operation"]: _cell(row, server, op["operation"]) for op in described["operations"]}
            counts = {str(o): sum(1 for c in cells.values() if c.outcome is o) for o in Outcome}
            servers[contract] = {
                "ran": bool(server and server.ran),
                "problem": server.problem if server else _never_met(row),
                "server_version": server.server_version if server else None,
                "target": server.target if server else None,
                "works": counts[str(Outcome.WORKS)],
                "of": len(cells),
                "counts": counts,
                "operations": {op: {**asdict(cell), "outcome": str(cell.outcome)} for op, cell in cells.items()},
            }
        table["sdks"][row.label] = {
            "source": row.source,
            "version": row.version,
            "clean_import": {
                "checked": row.import_checked,
                "ok": row.import_checked and row.clean_import_error is None,
                "error": row.clean_import_error,
            },
            "added_for_import": row.added_for_import,
            "import_error": row.import_error,
            "style": row.style,
            "seconds": row.seconds,
            "servers": servers,
        }
    return table


def major(version: str | None) -> str | None:
    """The major version of a kestrapy ("1.0.0-beta7" -> "1"), the contract it is made for."""
    matched = re.match(r"^v?(\d+)", version or "")
    return matched[1] if matched else None


def gate_failures(matrix: dict[str, Any], labels: Sequence[str], contracts: Sequence[str] = ()) -> list[str]:
    """Why each named kestrapy may not be released, if it may not; empty if all may.

    A kestrapy must work for every operation of every server of its own contract version
    (its major version) that it met, or of the `contracts` given; meeting none is a
    failure too: a gate that saw no server proves nothing. Other cells are information.
    """
    failures: list[str] = []
    for label in labels:
        row = matrix.get("sdks", {}).get(label)
        if row is None:
            failures.append(f"kestrapy {label}: not in the matrix (was it run with --sdk {label}?)")
            continue
        gated = list(contracts) or [c for c in [major(row.get("version"))] if c]
        met = [c for c in gated if row["servers"].get(c, {}).get("ran")]
        if not met:
            failures.append(
                f"kestrapy {label} ({row.get('version') or 'version unknown'}): met no server of contract "
                f"{' or '.join(gated) or '(unknown)'}: {row.get('import_error') or 'nothing to gate on'}"
            )
            continue
        for contract in met:
            server = row["servers"][contract]
            bad = {word: n for word, n in server["counts"].items() if n and word != str(Outcome.WORKS)}
            if bad:
                broken = [op for op, cell in server["operations"].items() if cell["outcome"] != str(Outcome.WORKS)]
                failures.append(
                    f"kestrapy {label} against contract {contract}: {server['works']} of {server['of']} work; "
                    f"{', '.join(f'{n} {w}' for w, n in bad.items())}: {', '.join(broken)}"
                )
    return failures


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


def _escape(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


class _Notes:
    """Identical findings share one numbered note, whichever rows and tables they come from."""

    def __init__(self) -> None:
        self.texts: dict[str, dict[str, list[str]]] = {}

    def __call__(self, subject: str, where: str, texts: list[str]) -> str:
        text = "; ".join(_escape(t) for t in texts)
        self.texts.setdefault(text, {}).setdefault(subject, []).append(where)
        return f" ({list(self.texts).index(text) + 1})"

    def render(self) -> list[str]:
        if not self.texts:
            return []
        lines = ["", "## Notes", ""]
        for number, (text, subjects) in enumerate(self.texts.items(), 1):
            where = "; ".join(f"{subject} in {', '.join(names)}" for subject, names in subjects.items())
            lines.append(f"{number}. {where}: {text}")
        return lines


def _sdk_name(label: str, row: dict[str, Any]) -> str:
    version = row.get("version")
    if version and version != label and row.get("source", {}).get("kind") not in (None, "index"):
        return f"kestrapy {version} ({label})"
    return f"kestrapy {label}"


def _grid(matrix: dict[str, Any], note: _Notes) -> list[str]:
    contracts: dict[str, Any] = matrix["contracts"]
    head = " | ".join(f"contract {c} ({d['name']})" for c, d in contracts.items())
    lines = [
        "| kestrapy | from | imports in a clean environment | " + head + " |",
        "|" + " --- |" * (3 + len(contracts)),
    ]
    for label, row in matrix["sdks"].items():
        error = row["clean_import"]["error"]
        if error is None:
            clean = "yes" if row["clean_import"]["ok"] else "not checked"
        else:
            texts = [f"`import kestrapy` fails in a clean environment: {error}"]
            if row["added_for_import"]:
                texts.append(f"tested with {', '.join(row['added_for_import'])} installed by hand")
            clean = "**no**" + note("import", label, texts)
        cells = []
        for contract in contracts:
            server = row["servers"][contract]
            if row["import_error"]:
                text = "**cannot import**" + note("import", label, [row["import_error"]])
            elif not server["ran"]:
                text = "not run" + (
                    note(f"contract {contract}", label, [server["problem"]]) if server["problem"] else ""
                )
            else:
                text = f"{server['works']} of {server['of']}"
                text = f"**{text}**" if server["works"] == server["of"] else text
            cells.append(text)
        source = row.get("source", {}).get("kind", "index")
        lines.append(f"| {_sdk_name(label, row)} | {source} | {clean} | " + " | ".join(cells) + " |")
    return lines


def _operations_table(matrix: dict[str, Any], contract: str, note: _Notes) -> list[str]:
    described = matrix["contracts"][contract]
    rows: dict[str, Any] = matrix["sdks"]
    lines = [
        f"## Contract {contract} ({described['name']}): each operation",
        "",
        "| operation | route | " + " | ".join(_sdk_name(label, row) for label, row in rows.items()) + " |",
        "|" + " --- |" * (len(rows) + 2),
        "| client | | " + " | ".join(str(row.get("style") or "-") for row in rows.values()) + " |",
        "| session time (install + tests) | | "
        + " | ".join(_seconds(row.get("seconds")) for row in rows.values())
        + " |",
    ]
    for op in described["operations"]:
        cells = []
        for label, row in rows.items():
            cell = row["servers"][contract]["operations"][op["operation"]]
            text = cell["outcome"] if cell["outcome"] == str(Outcome.WORKS) else f"**{cell['outcome']}**"
            if cell["method"]:
                text += f" `{cell['method']}`"
            if (cell["details"] or cell["notes"]) and row["servers"][contract]["ran"]:
                text += note(op["operation"], f"{label} (contract {contract})", cell["details"] + cell["notes"])
            cells.append(text)
        route = f"`{op['method']} {op['path']}`" if op["method"] else ""
        name = op["operation"]
        if op.get("documented", name) != name:
            name += f" ({op['documented']})"
        lines.append(f"| {name} | {route} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(matrix: dict[str, Any]) -> str:
    """The grid for people, then one table per contract version, then notes for what is not plain."""
    note = _Notes()
    lines = [
        "# kestrapy against the Users API",
        "",
        f"Generated {matrix['generated']} by `nox -s sdk_matrix`. Each count is how many of a server contract's "
        "documented operations work through that kestrapy's own `KestraClient` (`pytest contract -m sdk`): "
        "the call is sent, answered as documented, and parsed into what the SDK declares. Below, per "
        "operation (matched by HTTP method and path): **works**, **missing** from every API of the client, "
        "**does not parse** (the SDK's model rejects or misreads the response), or **error**. Numbers point "
        "to the notes.",
        "",
    ]
    targets = sorted(
        {s["target"] for row in matrix["sdks"].values() for s in row["servers"].values() if s.get("target")}
    )
    if targets:
        lines += [f"Target: {', '.join(targets)}.", ""]
    lines += ["## Operations that work, per kestrapy and server contract version", ""]
    lines += _grid(matrix, note)
    for contract in matrix["contracts"]:
        lines += ["", *_operations_table(matrix, contract, note)]
    lines += note.render()
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path("reports/sdk-matrix"))
    parser.add_argument("--rows", nargs="+", default=[], help="the raw/ folders to put in the matrix, in order")
    parser.add_argument("--gate", nargs="+", default=[], metavar="KESTRAPY", help="exit 1 unless these work")
    parser.add_argument("--gate-contract", action="append", default=[], metavar="N", help="gate on this contract")
    args = parser.parse_args(argv)
    if args.rows:
        matrix = build_matrix([read_row(args.root / "raw" / row) for row in args.rows])
        args.root.mkdir(parents=True, exist_ok=True)
        (args.root / "matrix.json").write_text(json.dumps(matrix, indent=2) + "\n")
        (args.root / "matrix.md").write_text(render_markdown(matrix))
        print(f"wrote {args.root / 'matrix.md'} and matrix.json ({', '.join(matrix['sdks'])})")
    if not args.gate:
        return 0
    path = args.root / "matrix.json"
    if not path.is_file():
        print(f"no matrix at {path}: run `nox -s sdk_matrix` (or `nox -s sdk -- --sdk ...`) first", file=sys.stderr)
        return 1
    failures = gate_failures(json.loads(path.read_text()), args.gate, args.gate_contract)
    print("\n".join(failures) or f"every gated kestrapy works: {', '.join(args.gate)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
