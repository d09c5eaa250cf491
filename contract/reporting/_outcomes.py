"""Test outcomes and failures as the controller sees them in pytest's reports.

With xdist the controller receives every worker's reports (longrepr and sections
included), so failures never need to travel through `workeroutput`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pytest

from contract.harness import NOT_RUN_PROPERTY, UNSTABLE_PROPERTY, plain_nodeid
from contract.reporting._violations import violation_of

#: The test report attribute that carries a failing test's hypothesis examples (it crosses to the xdist controller).
EXAMPLES_PROPERTY = "kct_examples"

__all__ = ["EXAMPLES_PROPERTY", "OUTCOMES", "Outcomes", "failure_record", "unmarked"]

#: Worst first: a test that failed its call and its teardown counts as failed.
OUTCOMES = ("failed", "errors", "xpassed", "passed", "xfailed", "skipped")
_RANK = {name: rank for rank, name in enumerate(OUTCOMES)}
unmarked = "unmarked"
_MAX_DETAILS = 20_000

_FIELD = re.compile(
    r"^(?:E\s+)?(?:[\w.]+(?:Violation|Error|Exception):\s+)?(operation|request|expected|got|detail):\s+(.+)$", re.M
)
#: A curl line on a line of its own (as schemathesis prints them), not one quoted inside a repr.
_CURL = re.compile(r"^(?:E\s+)?[\s|]*(curl\s+-X\s+\S+.*)$", re.M)


def _outcome(report: pytest.TestReport) -> str | None:
    """As pytest's own summary counts it; xdist reports a worker crash as a failed "???" phase."""
    xfail = hasattr(report, "wasxfail")
    if report.when not in ("setup", "teardown"):
        if report.passed:
            return "xpassed" if xfail else "passed"
        if report.skipped:
            return "xfailed" if xfail else "skipped"
        return "failed"
    if report.failed:
        return "errors"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    return None


class Outcomes:
    """The final outcome of each test, counted in total and per marker."""

    def __init__(self, markers: Iterable[str]) -> None:
        self.markers = tuple(markers)
        self._final: dict[str, str] = {}
        self._marks: dict[str, tuple[str, ...]] = {}
        self.collection_errors = 0
        #: nodeid -> why the test could not conclude (the target was unstable).
        self.unstable: dict[str, str] = {}
        #: nodeid -> why the test could not run against this target.
        self.not_run: dict[str, str] = {}

    def add(self, report: pytest.TestReport) -> None:
        for name, value in getattr(report, "user_properties", None) or []:
            if name == UNSTABLE_PROPERTY:
                self.unstable.setdefault(report.nodeid, str(value))
            elif name == NOT_RUN_PROPERTY:
                self.not_run.setdefault(report.nodeid, str(value))
        outcome = _outcome(report)
        if outcome is None:
            return
        nodeid = plain_nodeid(report.nodeid)
        previous = self._final.get(nodeid)
        if previous is None or _RANK[outcome] < _RANK[previous]:
            self._final[nodeid] = outcome
        self._marks[nodeid] = self.marks_of(report)

    def marks_of(self, report: pytest.TestReport | pytest.CollectReport) -> tuple[str, ...]:
        keywords = getattr(report, "keywords", {}) or {}
        return tuple(m for m in self.markers if m in keywords) or (unmarked,)

    def final(self) -> dict[str, str]:
        """Each test's final outcome, by node id."""
        return dict(self._final)

    def totals(self) -> dict[str, int]:
        counts = Counter(self._final.values())
        totals = {name: counts.get(name, 0) for name in OUTCOMES}
        totals["errors"] += self.collection_errors
        totals["total"] = len(self._final)
        return totals

    def by_marker(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for nodeid, outcome in self._final.items():
            for mark in self._marks[nodeid]:
                table.setdefault(mark, Counter())[outcome] += 1
        return {mark: {name: table[mark].get(name, 0) for name in OUTCOMES} for mark in sorted(table)}


def _mask(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _sections(report: pytest.TestReport | pytest.CollectReport) -> dict[str, str]:
    return {str(title): str(content) for title, content in getattr(report, "sections", [])}


def _message(report: pytest.TestReport | pytest.CollectReport, text: str, fields: dict[str, str]) -> str:
    """One line: what was expected and what came back, or the exception's first line."""
    if fields.get("expected") and fields.get("got"):
        return f"expected {fields['expected']}, got {fields['got'].split(' ', 1)[0]}"
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "").strip()
    if not message:
        lines = [line for line in text.splitlines() if line.startswith("E ")]
        message = lines[0][1:].strip() if lines else (text.strip().splitlines() or [""])[-1]
    return message.splitlines()[0][:300] if message else ""


def failure_record(
    report: pytest.TestReport | pytest.CollectReport, marks: Iterable[str], secrets: Iterable[str]
) -> dict[str, Any]:
    """A failure as people read it: what was expected, what came back, the curl, the replay line."""
    secrets = list(secrets)
    text = report.longreprtext or ""
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(text):
        fields.setdefault(match.group(1), match.group(2).strip())
    curl = fields.get("request", "")
    if not curl.startswith("curl "):
        found = _CURL.search(text)
        curl = found.group(1) if found else ""
    record = {
        "nodeid": plain_nodeid(report.nodeid),
        "phase": getattr(report, "when", None) or "collect",
        "markers": list(marks),
        "message": _message(report, text, fields),
        "operation": fields.get("operation", ""),
        "expected": fields.get("expected", ""),
        "got": fields.get("got", ""),
        "detail": fields.get("detail", ""),
        "curl": curl.strip(),
        "replay": _sections(report).get("replay", ""),
        "details": text[:_MAX_DETAILS] + ("\n… (truncated)" if len(text) > _MAX_DETAILS else ""),
        "duration": round(float(getattr(report, "duration", 0.0) or 0.0), 3),
        "examples": [str(blob) for blob in getattr(report, EXAMPLES_PROPERTY, None) or []],
    }
    masked = {key: _mask(value, secrets) if isinstance(value, str) else value for key, value in record.items()}
    masked["violation"] = violation_of(masked)
    return masked
