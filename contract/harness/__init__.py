"""The ground every part of the suite stands on: where the target is and as whom
(`Target`), the one HTTP path (`Api`, guarded by the `SafetyGuard`), what the run created
(`Ledger`) and how it is deleted again (`delete_all`, `finish_run`, the leftovers of
earlier runs), one process's shared state (`Run`), the run seed, the time budget and how
far each test got (`Budget`, `Progress`, the pytest side in `PacePlugin`), and the hypothesis
profiles. Nothing here knows about fuzzing, state machines, the SDK or reports.
"""

from contract.harness._api import ANONYMOUS, MISSING_PREFIX, READ_OPERATIONS, Api, missing_id
from contract.harness._arrange import CreatedToken, CreatedUser, strong_password
from contract.harness._background import Background, Halted
from contract.harness._budget import NOT_STARTED, Budget, BudgetSpent, format_duration, parse_duration
from contract.harness._cleanup import IDENTITY_REFUSED, CleanupReport, delete_all, delete_entry
from contract.harness._creations import CREATING_OPERATIONS, MissingId, created_entries, is_unresolved, unresolved_user
from contract.harness._deployment import EXIT_UNSTABLE_TARGET, DeploymentPlugin
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
from contract.harness._not_run import NOT_RUN_PROPERTY, CannotRun, cannot_run
from contract.harness._pacing import PacePlugin, plain_nodeid, remote_workers
from contract.harness._password_policy import announced_password_policy
from contract.harness._profiles import register_profiles
from contract.harness._progress import Progress
from contract.harness._record import merge_snapshots, unstable_kind
from contract.harness._retry import (
    DEFAULT_RETRY,
    Answer,
    RetryPolicy,
    infrastructure_reason,
    not_processed,
    retry_after_seconds,
    send_with_retries,
)
from contract.harness._run import Run
from contract.harness._secrets import SecretBook
from contract.harness._seed import publish_run_seed, run_seed
from contract.harness._settle import DEFAULT_SETTLE_SECONDS, Eventually, Later, Problem, Settle, Settled
from contract.harness._signals import held_back, interrupt_on_termination
from contract.harness._target import Credentials, Target, TargetError, check_base_url, preflight
from contract.harness._unstable import (
    UNSTABLE_PROPERTY,
    UnstableTarget,
    concluding,
    give_up,
    raising_unstable,
    rejecting_examples,
)

__all__ = [
    "ANONYMOUS",
    "CLEANUP_FILE",
    "CREATING_OPERATIONS",
    "DEFAULT_BUDGET",
    "DEFAULT_MIN_AGE_HOURS",
    "DEFAULT_RETRY",
    "DEFAULT_SETTLE_SECONDS",
    "DEFAULT_WINDOW",
    "EMAIL_OF_NO_ONE",
    "EXIT_UNSTABLE_TARGET",
    "IDENTITY_REFUSED",
    "MISSING_PREFIX",
    "NOT_RUN_PROPERTY",
    "NOT_STARTED",
    "OWN_TOKEN_MAX_AGE",
    "READ_OPERATIONS",
    "UNSTABLE_PROPERTY",
    "Answer",
    "Api",
    "Background",
    "Budget",
    "BudgetSpent",
    "CannotRun",
    "CleanupReport",
    "ContractViolation",
    "CreatedToken",
    "CreatedUser",
    "Credentials",
    "DeploymentPlugin",
    "Drift",
    "Entry",
    "Eventually",
    "Exchange",
    "Findings",
    "Halted",
    "IdentityLost",
    "IdentityWatch",
    "Kind",
    "Later",
    "Ledger",
    "LoginBook",
    "MissingId",
    "PacePlugin",
    "Problem",
    "Progress",
    "RetryPolicy",
    "Run",
    "RunRecord",
    "SecretBook",
    "Settle",
    "Settled",
    "Target",
    "TargetError",
    "UnsafeRequest",
    "UnstableTarget",
    "announced_password_policy",
    "cannot_run",
    "check_base_url",
    "concluding",
    "created_entries",
    "curl",
    "delete_all",
    "delete_entry",
    "delete_leftovers",
    "expect_status",
    "finish_run",
    "format_duration",
    "give_up",
    "held_back",
    "identity_refused",
    "infrastructure_reason",
    "interrupt_on_termination",
    "is_unresolved",
    "leftover_ledgers",
    "lost_identity_message",
    "merge_snapshots",
    "missing_id",
    "not_processed",
    "parse_duration",
    "plain_nodeid",
    "prefixed_users",
    "preflight",
    "publish_run_seed",
    "raising_unstable",
    "register_profiles",
    "rejecting_examples",
    "remote_workers",
    "retry_after_seconds",
    "run_id_of_email",
    "run_seed",
    "send_with_retries",
    "short_lived",
    "strong_password",
    "sweep_hint",
    "unresolved_user",
    "unstable_kind",
    "users_with_email",
    "users_with_prefix",
    "why_spared",
    "write_process_report",
    "write_run_record",
]
