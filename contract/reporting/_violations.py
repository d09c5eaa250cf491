"""What makes two failures the same violation, night after night, and what a baseline knows.

A violation is named by the test function that found it (a machine's shard or a fuzz
test's operation may differ from night to night), the operation it concerns, what failed
(schemathesis's check names, or what the suite expected, with the run's own names and ids
taken out) and the clauses that test checks for that operation. A baseline is a
`summary.json` (each of its failures is known as exactly that), or a short list written
by hand of `{clause, operation}` (any failure of that clause on that operation is known;
`test` and `check` narrow an entry further).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

import specs

__all__ = ["baseline_verdict", "judge", "read_baseline", "test_function", "violation_of"]

#: schemathesis's failure titles ("- ST101 Server error", "- ST901 Custom check failed: `name`").
_CHECK_TITLE = re.compile(r"^[\s|E]*- (ST\d{3} .+?)\s*$", re.M)
#: What changes from run to run in a message: the run's names, ids, big numbers, quoted bodies.
_VOLATILE = (
    (re.compile(r"kct-[A-Za-z0-9._@+-]+"), "kct-…"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27,}\b", re.I), "<id>"),
    (re.compile(r"\b(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{12,}\b"), "<id>"),
    (re.compile(r"\b\d{4,}\b"), "<n>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s*s\b"), "<time>"),
)


def test_function(nodeid: str) -> str:
    """The test function of a node id, without its parameters."""
    return nodeid.split("[", 1)[0]


def _normalised(text: str) -> str:
    text = " ".join(text.split())
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text[:200]


def _operation(failure: Mapping[str, Any]) -> str:
    """The failure's operation: as the suite's violation named it, else from the test's parameters."""
    if failure.get("operation"):
        return str(failure["operation"])
    params = str(failure.get("nodeid", "")).partition("[")[2].rstrip("]")
    if not params:
        return ""
    known = specs.operations(include_setup=True)
    method, _, path = params.partition(" ")
    for operation in known:
        if operation.method.upper() == method.upper() and operation.path == path:
            return operation.operation_id
    ids = {operation.operation_id for operation in known}
    return next((part for part in re.split(r"[-\[\]]", params) if part in ids), "")


def _check(failure: Mapping[str, Any]) -> str:
    titles = sorted({m.group(1) for m in _CHECK_TITLE.finditer(str(failure.get("details", "")))})
    if titles:
        return "; ".join(titles)
    if failure.get("expected"):
        return _normalised(str(failure["expected"]))
    return _normalised(str(failure.get("message", "")))


def _clauses(nodeid: str, operation: str, check: str) -> list[str]:
    """The clauses the test checks that concern the operation by name (every clause it checks, if none
    does); a server error also breaks the clause that no input gets a 5xx.
    """
    checked = [clause for clause in specs.clauses() if clause.checked_by(nodeid)]
    server_error = [c for c in checked if "5xx" in c.text and "*" in c.operations] if "Server error" in check else []
    if operation:
        concerned = [c for c in checked if "*" in c.operations or operation in c.operations]
        specific = [c for c in concerned if "*" not in c.operations]
        checked = specific or concerned or checked
    return list(dict.fromkeys(clause.id for clause in [*server_error, *checked]))


def violation_of(failure: Mapping[str, Any]) -> dict[str, Any]:
    """The failure as a violation: {test, operation, check, clauses}."""
    nodeid = str(failure.get("nodeid", ""))
    operation, check = _operation(failure), _check(failure)
    return {
        "test": test_function(nodeid),
        "operation": operation,
        "check": check,
        "clauses": _clauses(nodeid, operation, check),
    }


def read_baseline(path: Path) -> list[dict[str, Any]]:
    """The known violations of a baseline file; ValueError when it is neither kind."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ValueError(f"{path} is neither a summary.json nor a list of known violations: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("failures"), list):
        return [dict(f.get("violation") or violation_of(f), source="summary") for f in data["failures"]]
    entries = data.get("known") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{path}: expected a summary.json, or a list of {{clause, operation}} entries")
    known = []
    for entry in entries:
        if not entry.get("clause") and not entry.get("test"):
            raise ValueError(f"{path}: each known violation names a clause (or a test): {entry}")
        known.append({k: str(entry[k]) for k in ("clause", "operation", "test", "check", "note") if entry.get(k)})
    return known


def _matches(entry: Mapping[str, Any], violation: Mapping[str, Any]) -> bool:
    if entry.get("source") == "summary":
        return all(entry.get(k) == violation.get(k) for k in ("test", "operation", "check"))
    operation = entry.get("operation", "*")
    return (
        operation in ("*", violation["operation"])
        and (not entry.get("clause") or entry["clause"] in violation["clauses"])
        and (not entry.get("test") or entry["test"] == violation["test"])
        and (not entry.get("check") or entry["check"] == violation["check"])
    )


def _checked(entry: Mapping[str, Any], ran: Collection[str], clauses_checked: Collection[str]) -> bool:
    """Whether this run could have found the entry's violation again."""
    if entry.get("test"):
        return entry["test"] in ran
    return entry.get("clause") in clauses_checked


def judge(
    violations: Iterable[Mapping[str, Any]],
    baseline: list[dict[str, Any]],
    ran: Collection[str],
    clauses_checked: Collection[str],
) -> dict[str, Any]:
    """{known, new, fixed}: which failures the baseline knows, and which known ones this run no longer saw.

    `ran` are the test functions that ran (passed or not), `clauses_checked` the clauses
    some test of this run checked: a known violation whose test did not run is neither
    fixed nor still failing, only not checked.
    """
    known: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for violation in violations:
        (known if any(_matches(e, violation) for e in baseline) else new).append(dict(violation))
    seen = [*known, *new]
    fixed: list[dict[str, Any]] = []
    unchecked: list[dict[str, Any]] = []
    for entry in baseline:
        if any(_matches(entry, v) for v in seen):
            continue
        (fixed if _checked(entry, ran, clauses_checked) else unchecked).append(dict(entry))
    return {"known": known, "new": new, "fixed": _unique(fixed), "not_checked": _unique(unchecked)}


def _unique(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keyed = {json.dumps(e, sort_keys=True): e for e in entries}
    return list(keyed.values())


def baseline_verdict(verdict: dict[str, Any], judgement: Mapping[str, Any], only_known: bool) -> dict[str, Any]:
    """The verdict once a baseline has spoken: known violations alone let the contract hold otherwise."""
    outcome = dict(verdict, notes=list(verdict.get("notes", [])))
    known, new, fixed = (len(judgement.get(k, [])) for k in ("known", "new", "fixed"))
    if only_known:
        outcome["ok"] = not any(n.startswith("cleanup") for n in outcome["notes"])
        outcome["text"] = f"No new violation: {known} known" if outcome["ok"] else outcome["text"]
    elif new:
        outcome["text"] = f"{new} new violation" + ("s" if new != 1 else "")
    if known and not only_known:
        outcome["notes"].append(f"{known} known violation" + ("s" if known != 1 else ""))
    if fixed:
        outcome["notes"].append(f"{fixed} known violation" + ("s" if fixed != 1 else "") + " fixed")
    return outcome
