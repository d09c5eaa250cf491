"""The ground every part of the suite stands on: where the target is and as whom
(`Target`), the one HTTP path (`Api`, guarded by the `SafetyGuard`), what the run created
(`Ledger`) and how it is deleted again (`delete_all`, `finish_run`, the leftovers of
earlier runs), one process's shared state (`Run`), the run seed, the time budget and how
far each test got (`Budget`, `Progress`, the pytest side in `PacePlugin`), and the hypothesis
profiles. Nothing here knows about fuzzing, state machines, the SDK or reports.
"""

from contract.harness._api import ANONYMOUS, MISSING_PREFIX, Api, missing_id
from contract.harness._arrange import CreatedToken, CreatedUser, strong_password
from contract.harness._budget import NOT_STARTED, Budget, BudgetSpent, format_duration, parse_duration
from contract.harness._cleanup import IDENTITY_REFUSED, CleanupReport, delete_all, delete_entry
from contract.harness._creations import CREATING_OPERATIONS, MissingId, created_entries, is_unresolved
from contract.harness._ending import CLEANUP_FILE, finish_run, write_process_report
from contract.harness._exchange import ContractViolation, Exchange, curl, expect_status
from contract.harness._findings import Drift, Findings
from contract.harness._guard import EMAIL_OF_NO_ONE, UnsafeRequest
from contract.harness._identity import IdentityLost, IdentityWatch, identity_refused, lost_identity_message, sweep_hint
from contract.harness._ledger import Entry, Kind, Ledger
from contract.harness._leftovers import (
    RunRecord,
    delete_leftovers,
    leftover_ledgers,
    prefixed_users,
    run_id_of_email,
    write_run_record,
)
from contract.harness._lifetimes import OWN_TOKEN_MAX_AGE, short_lived
from contract.harness._liveness import DEFAULT_MIN_AGE_HOURS, why_spared
from contract.harness._logins import DEFAULT_BUDGET, DEFAULT_WINDOW, LoginBook
from contract.harness._lookup import users_with_email, users_with_prefix
from contract.harness._pacing import PacePlugin, plain_nodeid, remote_workers
from contract.harness._profiles import register_profiles
from contract.harness._progress import Progress
from contract.harness._record import merge_snapshots
from contract.harness._run import Run
from contract.harness._secrets import SecretBook
from contract.harness._seed import publish_run_seed, run_seed
from contract.harness._signals import held_back, interrupt_on_termination
from contract.harness._target import Credentials, Target, TargetError, check_base_url, preflight

__all__ = [
    "ANONYMOUS",
    "CLEANUP_FILE",
    "CREATING_OPERATIONS",
    "DEFAULT_BUDGET",
    "DEFAULT_MIN_AGE_HOURS",
    "DEFAULT_WINDOW",
    "EMAIL_OF_NO_ONE",
    "IDENTITY_REFUSED",
    "MISSING_PREFIX",
    "NOT_STARTED",
    "OWN_TOKEN_MAX_AGE",
    "Api",
    "Budget",
    "BudgetSpent",
    "CleanupReport",
    "ContractViolation",
    "CreatedToken",
    "CreatedUser",
    "Credentials",
    "Drift",
    "Entry",
    "Exchange",
    "Findings",
    "IdentityLost",
    "IdentityWatch",
    "Kind",
    "Ledger",
    "LoginBook",
    "MissingId",
    "PacePlugin",
    "Progress",
    "Run",
    "RunRecord",
    "SecretBook",
    "Target",
    "TargetError",
    "UnsafeRequest",
    "check_base_url",
    "created_entries",
    "curl",
    "delete_all",
    "delete_entry",
    "delete_leftovers",
    "expect_status",
    "finish_run",
    "format_duration",
    "held_back",
    "identity_refused",
    "interrupt_on_termination",
    "is_unresolved",
    "leftover_ledgers",
    "lost_identity_message",
    "merge_snapshots",
    "missing_id",
    "parse_duration",
    "plain_nodeid",
    "prefixed_users",
    "preflight",
    "publish_run_seed",
    "register_profiles",
    "remote_workers",
    "run_id_of_email",
    "run_seed",
    "short_lived",
    "strong_password",
    "sweep_hint",
    "users_with_email",
    "users_with_prefix",
    "why_spared",
    "write_process_report",
    "write_run_record",
]
