"""python -m contract.sweep: find (and with --delete, delete) what killed runs left behind.

A run killed with SIGKILL, or whose cleanup could not finish, leaves objects on the
server. They are found in two places only: entries still alive in the ledger files of
earlier runs against this same server (reports/runs/*/ledger/*.jsonl), and users whose
email carries the suite's prefix at its reserved domain (kct-<run>-...@kestra-contract.test).
Nothing else is ever touched. By default this is a dry run that lists what it found;
--delete deletes it, in dependency order, through the same guarded cleanup as a run.
A run that may still be going, on this machine or any other, is left alone: only runs
whose record says they ended, that ran here and whose process is gone, or that started
longer ago than --min-age hours (the run id carries its start) are swept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from contract.harness import (
    CONTRACT_CHOICES,
    DEFAULT_MIN_AGE_HOURS,
    ContractViolation,
    Credentials,
    Entry,
    Ledger,
    RunRecord,
    Target,
    TargetError,
    check_base_url,
    connect,
    delete_leftovers,
    leftover_ledgers,
    own_token_name,
    prefixed_users,
    preflight,
    run_id_of_email,
    why_spared,
)
from strategies import new_run_id

__all__ = ["main"]

EXIT_USAGE = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m contract.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the server to sweep")
    parser.add_argument("--username", help="superadmin username (or $KESTRA_USERNAME)")
    parser.add_argument("--password", help="superadmin password (or $KESTRA_PASSWORD)")
    parser.add_argument("--token", help="superadmin API token (or $KESTRA_API_TOKEN)")
    parser.add_argument("--tenant", default="main", help="tenant id (default: main)")
    parser.add_argument(
        "--contract", default="auto", choices=CONTRACT_CHOICES, help="1, 2, or auto: the server's major version"
    )
    parser.add_argument("--report-dir", default="reports", help="where runs wrote their reports (default: reports/)")
    parser.add_argument("--delete", action="store_true", help="delete what was found (default: only list it)")
    parser.add_argument(
        "--min-age",
        type=float,
        default=DEFAULT_MIN_AGE_HOURS,
        metavar="HOURS",
        help=f"spare runs younger than this that may still be going (default {DEFAULT_MIN_AGE_HOURS:g})",
    )
    return parser


def _describe(entry: Entry) -> str:
    return f"{entry.kind} {entry.id}" + (f" ({entry.label})" if entry.label else "")


def _run_ledgers(report_dir: Path, base_url: str, min_age: float) -> tuple[dict[str, list[Ledger]], dict[str, str]]:
    """Ledgers with live entries per finished run against `base_url`; and why each spared run was spared."""
    found: dict[str, list[Ledger]] = {}
    spared: dict[str, str] = {}
    for run_dir in sorted((report_dir / "runs").glob("*/")):
        record = RunRecord.read(run_dir)
        if record is None or record.base_url != base_url:
            continue
        reason = why_spared(record.run_id, record, min_age)
        if reason is not None:
            spared[record.run_id] = reason
            print(f"  run {run_dir.name}: spared, {reason}")
            continue
        ledgers = leftover_ledgers(run_dir, record.run_id)
        if ledgers:
            found[run_dir.name] = ledgers
    return found, spared


def _unrecorded_users(
    target: Target, in_ledgers: set[tuple[str, str]], spared: dict[str, str], min_age: float
) -> list[Entry]:
    """Users with the suite's prefix that no swept ledger holds, from runs that are over; the rest listed as spared."""
    users: list[Entry] = []
    for user in prefixed_users(target):
        run_id = run_id_of_email(user.label) or ""
        if ("user", user.id) in in_ledgers:
            continue
        reason = spared.get(run_id) or why_spared(run_id, None, min_age)
        if reason is not None:
            print(f"    spared {_describe(user)}: run {run_id} {reason}")
            continue
        users.append(user)
    return users


def sweep(target: Target, report_dir: Path, *, delete: bool, min_age: float = DEFAULT_MIN_AGE_HOURS) -> int:
    print(f"sweep of {target.base_url} as {target.credentials.describe} ({'delete' if delete else 'dry run'}):")
    runs, spared = _run_ledgers(report_dir, target.base_url, min_age)
    in_ledgers: set[tuple[str, str]] = set()
    for name, ledgers in runs.items():
        entries = [entry for ledger in ledgers for entry in ledger.in_cleanup_order()]
        in_ledgers |= {(e.kind, e.id) for e in entries}
        print(f"  run {name}, from its ledger: {len(entries)}")
        for entry in entries:
            print(f"    {_describe(entry)}")
    print("  users with the suite's prefix (every page of listUsers):")
    users = _unrecorded_users(target, in_ledgers, spared, min_age)
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
        # The server's contract, as a run picks it; on 2.x a password becomes a token of the sweep's own.
        connection = connect(target, args.contract, own_token_name(new_run_id()))
        try:
            preflight(connection.target)
            print(f"contract: {connection.contract.describe}")
            return sweep(connection.target, Path(args.report_dir).resolve(), delete=args.delete, min_age=args.min_age)
        finally:
            problem = connection.forget_own_token()
            if problem:
                print(problem, file=sys.stderr)
    except TargetError as error:
        print(f"sweep cannot run: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (httpx.HTTPError, ContractViolation) as error:
        print(f"sweep stopped: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
