"""python -m contract.sweep: find (and with --delete, delete) what killed runs left behind.

A run killed with SIGKILL, or whose cleanup could not finish, leaves objects on the
server. They are found in two places only: entries still alive in the ledger files of
earlier runs against this same server (reports/runs/*/ledger/*.jsonl), and users whose
email carries the suite's prefix at its reserved domain (kct-<run>-...@kestra-contract.test).
Nothing else is ever touched. By default this is a dry run that lists what it found;
--delete deletes it, in dependency order, through the same guarded cleanup as a run.
Runs still going on this machine are left alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from contract.harness import (
    ContractViolation,
    Credentials,
    Entry,
    Ledger,
    RunRecord,
    Target,
    TargetError,
    check_base_url,
    delete_leftovers,
    leftover_ledgers,
    prefixed_users,
    preflight,
    run_id_of_email,
)

__all__ = ["main"]

EXIT_USAGE = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m contract.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the server to sweep")
    parser.add_argument("--username", help="superadmin username (or $KESTRA_USERNAME)")
    parser.add_argument("--password", help="superadmin password (or $KESTRA_PASSWORD)")
    parser.add_argument("--token", help="superadmin API token (or $KESTRA_API_TOKEN)")
    parser.add_argument("--tenant", default="main", help="tenant id (default: main)")
    parser.add_argument("--report-dir", default="reports", help="where runs wrote their reports (default: reports/)")
    parser.add_argument("--delete", action="store_true", help="delete what was found (default: only list it)")
    return parser


def _describe(entry: Entry) -> str:
    return f"{entry.kind} {entry.id}" + (f" ({entry.label})" if entry.label else "")


def _run_ledgers(report_dir: Path, base_url: str) -> tuple[dict[str, list[Ledger]], set[str]]:
    """Ledgers with live entries per finished run against `base_url`; and the ids of runs still going."""
    found: dict[str, list[Ledger]] = {}
    active: set[str] = set()
    for run_dir in sorted((report_dir / "runs").glob("*/")):
        record = RunRecord.read(run_dir)
        if record is None or record.base_url != base_url:
            continue
        if record.active:
            active.add(record.run_id)
            print(f"  run {run_dir.name}: still running (pid {record.pid}), left alone")
            continue
        ledgers = leftover_ledgers(run_dir, record.run_id)
        if ledgers:
            found[run_dir.name] = ledgers
    return found, active


def sweep(target: Target, report_dir: Path, *, delete: bool) -> int:
    print(f"sweep of {target.base_url} as {target.credentials.describe} ({'delete' if delete else 'dry run'}):")
    runs, active = _run_ledgers(report_dir, target.base_url)
    in_ledgers = set()
    for name, ledgers in runs.items():
        entries = [entry for ledger in ledgers for entry in ledger.in_cleanup_order()]
        in_ledgers |= {(e.kind, e.id) for e in entries}
        print(f"  run {name}, from its ledger: {len(entries)}")
        for entry in entries:
            print(f"    {_describe(entry)}")
    users = [
        user
        for user in prefixed_users(target)
        if ("user", user.id) not in in_ledgers and run_id_of_email(user.label) not in active
    ]
    print(f"  users with the suite's prefix, in no ledger: {len(users)}")
    for user in users:
        print(f"    {_describe(user)}")
    total = len(in_ledgers) + len(users)
    if not delete:
        print(f"dry run: nothing deleted; {total} object(s) would be; add --delete to delete them")
        return 0
    report = delete_leftovers(target, [ledger for ledgers in runs.values() for ledger in ledgers], users)
    print(report.summary())
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        credentials = Credentials.from_options(args.username, args.password, args.token)
        if credentials is None:
            raise TargetError("no credentials: set --username/--password or --token")
        target = Target(check_base_url(args.base_url), credentials, args.tenant, embedded=False)
        preflight(target)
        return sweep(target, Path(args.report_dir).resolve(), delete=args.delete)
    except TargetError as error:
        print(f"sweep cannot run: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (httpx.HTTPError, ContractViolation) as error:
        print(f"sweep stopped: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
