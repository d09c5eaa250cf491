"""The end of a run: make sure nothing of it is left, and say so.

Each process deletes what it created and writes its report to
<run_dir>/cleanup/<process>.json. The controller then reads them all, goes once more
over every ledger file of the run (catching what a killed or interrupted worker left)
and over the users carrying this run's prefix (catching a creation the server made but
never confirmed). Its verdict, per object, is the last attempt's; it is printed and
written to <run_dir>/cleanup.json.

Reports travel by file, not by xdist's workeroutput: when the controller is
interrupted, it stops reading its workers' events, and their reports would be lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from contract.harness.cleanup._delete import IDENTITY_REFUSED, CleanupReport
from contract.harness.cleanup._leftovers import delete_leftovers, leftover_ledgers, mark_run_ended, prefixed_objects
from contract.harness.sending import Target, identity_refused, sweep_hint
from strategies import RUN_PREFIX_ROOT

__all__ = ["CLEANUP_FILE", "finish_run", "sweep_run", "write_process_report"]

CLEANUP_FILE = "cleanup.json"
_PROCESS_REPORTS = "cleanup"


def write_process_report(run_dir: Path, process: str, report: CleanupReport) -> None:
    """What one process of the run deleted and could not delete."""
    directory = run_dir / _PROCESS_REPORTS
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{process}.json").write_text(json.dumps(report.to_json()) + "\n")


def _process_reports(run_dir: Path) -> dict[str, CleanupReport]:
    reports: dict[str, CleanupReport] = {}
    for path in sorted((run_dir / _PROCESS_REPORTS).glob("*.json")):
        try:
            reports[path.stem] = CleanupReport.from_json(json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            continue
    return reports


def sweep_run(target: Target, run_dir: Path, run_id: str, *, read_only: bool) -> tuple[CleanupReport, list[str]]:
    """Delete what the run's ledgers still hold, then what carries its prefix (users, service accounts,
    groups: a lost ledger loses nothing); and any problems finding them.
    """
    ledgers = leftover_ledgers(run_dir, run_id)
    if identity_refused(target):
        report = CleanupReport(failed=[(e, IDENTITY_REFUSED) for ledger in ledgers for e in ledger.in_cleanup_order()])
        problem = (
            "cleanup could not finish: the suite's own credentials are refused (locked, rotated or revoked); "
            f"once they work again, this finishes it: {sweep_hint(target)}"
        )
        return report, [problem]
    report = delete_leftovers(target, ledgers, [])
    if read_only:
        return report, []
    found, problems = prefixed_objects(target, f"{RUN_PREFIX_ROOT}{run_id}-")
    tried = report.entries()
    report.extend(delete_leftovers(target, [], [e for e in found if (e.kind, e.id) not in tried]))
    return report, problems


def finish_run(target: Target, run_dir: Path, run_id: str, *, read_only: bool) -> tuple[CleanupReport, list[str]]:
    """The run's cleanup verdict: each process's report, then the controller's last pass."""
    processes = _process_reports(run_dir)
    combined = CleanupReport()
    for report in processes.values():
        combined.extend(report)
    last_pass, problems = sweep_run(target, run_dir, run_id, read_only=read_only)
    combined.then(last_pass)
    document = {
        "run_id": run_id,
        "base_url": target.base_url,
        **combined.to_json(),
        "ok": combined.ok and not problems,
        "problems": problems,
        "processes": {name: _counts(report) for name, report in {**processes, "last pass": last_pass}.items()},
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / CLEANUP_FILE).write_text(json.dumps(document, indent=2) + "\n")
    mark_run_ended(run_dir)
    return combined, problems


def _counts(report: CleanupReport) -> dict[str, int]:
    return {"deleted": len(report.deleted), "already_gone": len(report.already_gone), "failed": len(report.failed)}
