"""Turn the per-version results of `nox -s sdk_matrix` into one table: version x documented operation.

Each version's folder (reports/sdk-matrix/raw/<version>/) holds `import.json`, written by
the nox session (did kestrapy import in a clean environment, and what had to be added),
and `junit.xml`, written by `pytest contract -m sdk`, whose test cases carry their
outcome as properties (see test_sdk.py). This module reads both and writes matrix.json
and matrix.md beside the raw folder.

    python -m contract.sdk.matrix --root reports/sdk-matrix --versions 1.0.0b7 2.0.3
"""

from __future__ import annotations

import argparse
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import specs
from contract.sdk._outcome import PROPERTY, Outcome, worst

__all__ = [
    "Cell",
    "CheckRecord",
    "VersionResult",
    "build_matrix",
    "read_junit",
    "read_version",
    "render_markdown",
]

_CASE_NAME = re.compile(r"^test_sdk_(?P<check>call|unknown_id)\[(?P<operation>[^\]]+)\]$")


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
class VersionResult:
    version: str
    import_checked: bool = False
    clean_import_error: str | None = None
    added_for_import: list[str] = field(default_factory=list)
    import_error: str | None = None
    style: str | None = None
    target: str | None = None
    seconds: float | None = None
    ran: bool = False
    checks: list[CheckRecord] = field(default_factory=list)


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


def read_version(folder: Path, version: str) -> VersionResult:
    """What one version's nox session left in its folder (nothing there: not run)."""
    result = VersionResult(version)
    imported = folder / "import.json"
    if imported.is_file():
        data = json.loads(imported.read_text())
        result.import_checked = True
        result.clean_import_error = data.get("clean_import", {}).get("error")
        result.added_for_import = list(data.get("added", []))
        result.import_error = data.get("usable_import", {}).get("error")
        result.seconds = data.get("seconds")
    junit = folder / "junit.xml"
    if junit.is_file():
        props, result.checks = read_junit(junit)
        result.ran = True
        result.style = props.get("kestrapy_style")
        result.target = props.get("target")
        result.import_error = result.import_error or props.get("kestrapy_import_error")
    return result


def _cell(version: VersionResult, operation_id: str) -> Cell:
    checks = [c for c in version.checks if c.operation == operation_id]
    if version.import_error and not any(c.outcome is not Outcome.ERROR for c in checks):
        return Cell(Outcome.ERROR, details=[f"kestrapy cannot be imported: {version.import_error}"])
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


def build_matrix(versions: Sequence[VersionResult], operations: Iterable[specs.Operation]) -> dict[str, Any]:
    """The matrix as plain data: per version, its import facts and one cell per operation."""
    ops = list(operations)
    table: dict[str, Any] = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "operations": [{"operation": op.operation_id, "method": op.method, "path": op.path} for op in ops],
        "versions": {},
    }
    for version in versions:
        cells = {op.operation_id: _cell(version, op.operation_id) for op in ops}
        counts = {str(o): sum(1 for c in cells.values() if c.outcome is o) for o in Outcome}
        table["versions"][version.version] = {
            "clean_import": {
                "checked": version.import_checked,
                "ok": version.import_checked and version.clean_import_error is None,
                "error": version.clean_import_error,
            },
            "added_for_import": version.added_for_import,
            "import_error": version.import_error,
            "style": version.style,
            "target": version.target,
            "seconds": version.seconds,
            "ran": version.ran,
            "counts": counts,
            "operations": {op_id: {**asdict(cell), "outcome": str(cell.outcome)} for op_id, cell in cells.items()},
        }
    return table


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


def _escape(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(matrix: dict[str, Any]) -> str:
    """The matrix for people: one row per documented operation, footnotes for what is not plain."""
    versions: dict[str, Any] = matrix["versions"]
    names = list(versions)
    lines = [
        "# kestrapy against the Users API",
        "",
        f"Generated {matrix['generated']} by `nox -s sdk_matrix`. Each cell is what `pytest contract -m sdk` "
        "found for that documented operation (matched by HTTP method and path): **works**, **missing** "
        "from `UsersApi`, **does not parse** (the SDK's model rejects or misreads the response), or "
        "**error**. Numbers point to the notes below.",
        "",
    ]
    targets = sorted({v["target"] for v in versions.values() if v.get("target")})
    if targets:
        lines += [f"Target: {', '.join(targets)}.", ""]
    header = "| operation | route | " + " | ".join(f"kestrapy {n}" for n in names) + " |"
    lines += [header, "|" + " --- |" * (len(names) + 2)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | | " + " | ".join(values) + " |")

    # Identical findings share one note, whichever versions and rows they come from.
    footnotes: dict[str, dict[str, list[str]]] = {}

    def note(subject: str, version: str, texts: list[str]) -> str:
        text = "; ".join(_escape(t) for t in texts)
        footnotes.setdefault(text, {}).setdefault(subject, []).append(version)
        return f" ({list(footnotes).index(text) + 1})"

    clean: list[str] = []
    for name, data in versions.items():
        error = data["clean_import"]["error"]
        if error is None:
            clean.append("yes" if data["clean_import"]["ok"] else "not checked")
            continue
        texts = [f"`import kestrapy` fails in a clean environment: {error}"]
        if data["added_for_import"]:
            texts.append(f"tested with {', '.join(data['added_for_import'])} installed by hand")
        clean.append("**no**" + note("import", name, texts))
    row("imports in a clean environment", clean)
    row("client", [str(data.get("style") or "-") for data in versions.values()])
    row("session time (install + tests)", [_seconds(data.get("seconds")) for data in versions.values()])
    row("works", [f"{data['counts'][str(Outcome.WORKS)]} of {len(matrix['operations'])}" for data in versions.values()])
    for op in matrix["operations"]:
        cells = []
        for name, data in versions.items():
            cell = data["operations"][op["operation"]]
            text = cell["outcome"] if cell["outcome"] == str(Outcome.WORKS) else f"**{cell['outcome']}**"
            if cell["method"]:
                text += f" `{cell['method']}`"
            if cell["details"] or cell["notes"]:
                text += note(op["operation"], name, cell["details"] + cell["notes"])
            cells.append(text)
        lines.append(f"| {op['operation']} | `{op['method']} {op['path']}` | " + " | ".join(cells) + " |")
    if footnotes:
        lines += ["", "## Notes", ""]
        for number, (text, subjects) in enumerate(footnotes.items(), 1):
            where = "; ".join(f"{subject} in {', '.join(names)}" for subject, names in subjects.items())
            lines.append(f"{number}. {where}: {text}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path("reports/sdk-matrix"))
    parser.add_argument("--versions", nargs="+", required=True)
    args = parser.parse_args(argv)
    results = [read_version(args.root / "raw" / version, version) for version in args.versions]
    matrix = build_matrix(results, specs.operations())
    args.root.mkdir(parents=True, exist_ok=True)
    (args.root / "matrix.json").write_text(json.dumps(matrix, indent=2) + "\n")
    (args.root / "matrix.md").write_text(render_markdown(matrix))
    print(f"wrote {args.root / 'matrix.md'} and matrix.json ({', '.join(args.versions)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
