"""A run's summary.json as a few lines of Markdown, for a CI job summary.

python -m contract.reporting.markdown reports/latest/summary.json >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contract.reporting._depth import depth_line

__all__ = ["markdown"]

_MAX_FAILURES = 20


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def markdown(summary: dict[str, Any]) -> str:
    verdict = summary["verdict"]
    tests = summary["tests"]
    totals = summary["totals"]
    cleanup = summary["cleanup"]
    target = summary.get("target", {})
    unstable = summary.get("unstable") or {}
    lines = [
        f"## {'✅' if verdict['ok'] else '❌'} {verdict['text']}",
        "",
        f"{target.get('base_url', '?')} · tenant {target.get('tenant', '?')} · profile {summary.get('profile')} · "
        f"seed {summary.get('seed')} · kestrapy {summary.get('sdk', {}).get('version', '?')}",
        "",
        f"- tests: {tests.get('passed', 0)} passed, {tests.get('failed', 0)} failed, "
        f"{tests.get('errors', 0)} errors, {tests.get('skipped', 0)} skipped",
        f"- requests: {totals['requests']} to {totals['operations_exercised']}/{totals['operations']} operations; "
        f"{totals['unexpected_statuses']} unexpected status codes",
        f"- clauses: {totals.get('clauses_checked', 0)}/{totals.get('clauses', 0)} checked by this run, "
        f"{totals.get('clauses_failed', 0)} failed; their parts: {totals.get('parts_checked', 0)}/"
        f"{totals.get('parts', 0)} checked, {totals.get('parts_failed', 0)} failed, "
        f"{totals.get('parts_proven', 0)} proven by a self-test fault or project test",
        f"- drift: {len(summary['drift'])}",
        f"- unstable target: {len(unstable.get('tests', []))} tests could not conclude, "
        f"{unstable.get('total_requests', 0)} requests answered by the infrastructure, not the API",
        *(f"- not run: {item['nodeid']}: {item['reason']}" for item in summary.get("not_run", [])),
        *([f"- depth: {depth_line(summary['depth'])}"] if summary.get("depth") else []),
        f"- cleanup: {cleanup['deleted']} deleted, {cleanup['already_gone']} already gone, "
        f"{len(cleanup['failed'])} failed, {len(cleanup['left_behind'])} left behind",
    ]
    failures = summary["failures"]
    if failures:
        lines += ["", "### Failures", ""]
        for failure in failures[:_MAX_FAILURES]:
            lines.append(f"- {_code(failure['nodeid'])}: {failure.get('message', '')}")
            if failure.get("curl"):
                lines.append(f"  - reproduce: {_code(failure['curl'])}")
            if failure.get("replay"):
                lines.append(f"  - replay: {_code(failure['replay'])}")
        if len(failures) > _MAX_FAILURES:
            lines.append(f"- … and {len(failures) - _MAX_FAILURES} more in index.html")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m contract.reporting.markdown <summary.json>", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"## ❌ No report: {path} does not exist (the suite did not start)")
        return 0
    print(markdown(json.loads(path.read_text(encoding="utf-8"))), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
